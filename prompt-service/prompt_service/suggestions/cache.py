"""The cache in front of the stored sets, and the lock that lets one process generate a key's set.

With Redis configured both live there (shared by every process); otherwise both are in-process.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from redis.asyncio import Redis

# Delete the lock only if we still hold it (a taken-over lock belongs to someone else).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class SuggestionCache:
    def __init__(self, redis_url: str, *, ttl_seconds: int, lock_seconds: float) -> None:
        self.redis: Redis | None = Redis.from_url(redis_url) if redis_url else None
        self.ttl, self.lock_seconds = ttl_seconds, lock_seconds
        self.local: dict[str, tuple[float, dict[str, Any]]] = {}
        self.local_locks: dict[str, tuple[float, str]] = {}

    async def get(self, key: str) -> dict[str, Any] | None:
        entry = self.local.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        if self.redis is None:
            return None
        raw = await self.redis.get("suggestions:" + key)
        if raw is None:
            return None
        value: dict[str, Any] = json.loads(raw)
        self.remember(key, value, ttl=min(self.ttl, 60))
        return value

    def remember(self, key: str, value: dict[str, Any], *, ttl: float) -> None:
        """A short in-process copy spares even the Redis round trip on a repeat read."""
        if len(self.local) > 100_000:
            self.local.clear()
        self.local[key] = (time.monotonic() + ttl, value)

    async def put(self, key: str, value: dict[str, Any], *, ttl: int | None = None) -> None:
        ttl = ttl or self.ttl
        self.remember(key, value, ttl=min(ttl, 60) if self.redis is not None else ttl)
        if self.redis is not None:
            await self.redis.set("suggestions:" + key, json.dumps(value), ex=ttl)

    async def acquire(self, key: str) -> str | None:
        """A token if this process may generate the key's set now; None while a live holder has it."""
        token = uuid.uuid4().hex
        if self.redis is not None:
            acquired = await self.redis.set("suggestions-lock:" + key, token, nx=True, px=int(self.lock_seconds * 1000))
            return token if acquired else None
        held = self.local_locks.get(key)
        if held is not None and held[0] > time.monotonic():
            return None
        self.local_locks[key] = (time.monotonic() + self.lock_seconds, token)
        return token

    async def release(self, key: str, token: str) -> None:
        if self.redis is not None:
            await self.redis.eval(RELEASE, 1, "suggestions-lock:" + key, token)  # type: ignore[misc]  # redis 5 stubs: sync|async
        elif self.local_locks.get(key, (0.0, ""))[1] == token:
            del self.local_locks[key]

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
