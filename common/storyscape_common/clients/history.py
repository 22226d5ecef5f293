"""Typed client for history-service's internal API (story-service saves finished stories through it)."""

from __future__ import annotations

from typing import Any

from storyscape_common.clients.internal import InternalClient, raise_for_upstream

AUDIENCE = "history-service"


class HistoryClient(InternalClient):
    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, audience=AUDIENCE, **kwargs)

    async def save_story(self, *, user_id: str, request_id: str, story: dict[str, Any]) -> dict[str, Any]:
        """Store a finished story (idempotent on its id); returns the Story as history-service serves it."""
        response = await self.request("POST", "/internal/stories", user_id=user_id, request_id=request_id, json=story)
        raise_for_upstream(response, AUDIENCE)
        result: dict[str, Any] = response.json()
        return result
