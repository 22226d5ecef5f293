"""Typed client for history-service's internal API (story-service saves finished stories through it)."""

from __future__ import annotations

from typing import Any

from storyscape_common.clients.internal import InternalClient, raise_for_upstream
from storyscape_common.contracts.stories import Story, StoryCreate
from storyscape_common.internal_auth import Identity
from storyscape_common.registry import HISTORY_SERVICE


class HistoryClient(InternalClient):
    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, audience=HISTORY_SERVICE, **kwargs)

    async def save_story(self, story: StoryCreate, *, identity: Identity) -> Story:
        """Store a finished story (idempotent on its id); returns the Story as history-service serves it."""
        response = await self.request("POST", "/internal/stories", identity=identity, json=story.model_dump(mode="json"))
        raise_for_upstream(response, HISTORY_SERVICE)
        return Story.model_validate(response.json())

    async def delete_account_data(self, *, identity: Identity) -> None:
        """Every story, search term, favorite and queued media deletion of the token's user (account deletion; 204)."""
        response = await self.request("DELETE", "/internal/me", identity=identity)
        raise_for_upstream(response, HISTORY_SERVICE)
