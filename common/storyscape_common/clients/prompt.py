"""Typed client for prompt-service's internal API: a reader's settings and custom genres, for the services that follow them."""

from __future__ import annotations

from typing import Any

from storyscape_common.clients.internal import InternalClient, raise_for_upstream
from storyscape_common.contracts.settings import CustomGenreNames, ResolvedSettings
from storyscape_common.internal_auth import Identity
from storyscape_common.registry import PROMPT_SERVICE


class PromptClient(InternalClient):
    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, audience=PROMPT_SERVICE, **kwargs)

    async def settings(self, *, identity: Identity) -> ResolvedSettings:
        """The reader's settings (defaults for a new reader), custom genres resolved to their names."""
        response = await self.request("GET", "/internal/settings", identity=identity)
        raise_for_upstream(response, PROMPT_SERVICE)
        return ResolvedSettings.model_validate(response.json())

    async def custom_genres(self, *, identity: Identity) -> dict[str, str]:
        """The reader's own genres, id → name (only the identity's user's: prompt-service scopes by the token's `sub`)."""
        response = await self.request("GET", "/internal/genres", identity=identity)
        raise_for_upstream(response, PROMPT_SERVICE)
        return CustomGenreNames.model_validate(response.json()).names

    async def delete_account_data(self, *, identity: Identity) -> None:
        """The token's user's settings, custom genres, saved prompts and suggestion sets (account deletion; 204)."""
        response = await self.request("DELETE", "/internal/me", identity=identity)
        raise_for_upstream(response, PROMPT_SERVICE)
