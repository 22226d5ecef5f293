"""The reader's settings for a story request: from prompt-service, or the built-in defaults when it is down."""

from __future__ import annotations

import asyncio
import logging

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
