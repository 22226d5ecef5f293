"""What prompt-service knows about the reader for a story request: their settings (the built-in defaults when it
is down) and their custom genres (which a request's `genres` may name)."""

from __future__ import annotations

import asyncio
import logging

from storyscape_common.catalog import GENRES_BY_ID
from storyscape_common.clients.prompt import PromptClient
from storyscape_common.contracts.settings import ResolvedSettings
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity

logger = logging.getLogger("story_service.settings")
SETTINGS_TIMEOUT_SECONDS = 2.0


async def reader_settings(client: PromptClient, identity: Identity) -> ResolvedSettings:
    """Never fails: a story still streams with the defaults if prompt-service cannot answer in time."""
    try:
        return await asyncio.wait_for(client.settings(identity=identity), SETTINGS_TIMEOUT_SECONDS)
    except (ApiError, TimeoutError) as exc:
        logger.warning("reader settings unavailable; using defaults", extra={"fields": {"error": type(exc).__name__}})
        return ResolvedSettings()


async def story_genres(client: PromptClient, identity: Identity, requested: list[str]) -> list[str]:
    """The request's genres as the story names them: built-in ids as they are, the reader's own custom genre ids by
    their names (moderated when they were set). Anything else is a 422 naming `genres`; if the reader's genres
    cannot be read, a 503/504 (a story must not go ahead with genres nobody checked)."""
    if all(genre in GENRES_BY_ID for genre in requested):
        return requested
    try:
        custom = await asyncio.wait_for(client.custom_genres(identity=identity), SETTINGS_TIMEOUT_SECONDS)
    except TimeoutError:
        raise ApiError(504, "upstream_timeout", "your genres could not be checked in time; please retry") from None
    unknown = next((genre for genre in requested if genre not in GENRES_BY_ID and genre not in custom), None)
    if unknown is not None:
        message = f"genres: unknown genre {unknown!r}; use a built-in genre id or one of your custom genre ids"
        raise ApiError(422, "invalid_request", message)
    return [custom.get(genre, genre) for genre in requested]
