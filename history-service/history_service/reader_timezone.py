"""The reader's time zone when a request names none: their settings (prompt-service), cached briefly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from storyscape_common.clients.prompt import PromptClient
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity

logger = logging.getLogger("history_service.timezone")
LOOKUP_TIMEOUT_SECONDS = 1.0
MAX_CACHED_READERS = 10_000


class SettingsTimezones:
    """user id → IANA zone from their settings, kept `ttl` seconds; None when prompt-service cannot say."""

    def __init__(self, client: PromptClient, *, ttl: float) -> None:
        self.client = client
        self.ttl = ttl
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def zone_for(self, identity: Identity) -> str | None:
        cached = self._cache.get(identity.user_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            settings = await asyncio.wait_for(self.client.settings(identity=identity), LOOKUP_TIMEOUT_SECONDS)
        except (ApiError, TimeoutError) as exc:
            logger.warning("reader settings unavailable; default time zone", extra={"fields": {"error": type(exc).__name__}})
            return None
        self._cache[identity.user_id] = (time.monotonic() + self.ttl, settings.timezone)
        self._cache.move_to_end(identity.user_id)
        while len(self._cache) > MAX_CACHED_READERS:
            self._cache.popitem(last=False)
        return settings.timezone
