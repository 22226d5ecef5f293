"""Per-user limits on story creation: a token bucket for new stories and a cap on concurrent story streams.

Checked before any upstream call; over a limit the user gets 429 `rate_limited` with `Retry-After`. The counters
live in Redis (one atomic script, so several gateway processes share them) when `GATEWAY_REDIS_URL` is set, else
in this process. A stream holds a slot until it ends or the client leaves; in Redis the slot is a lease that the
streaming gateway renews, so a gateway that dies does not hold its users' slots for ever. While Redis is unreachable
each gateway keeps the limits in its own memory (`rate_limits_redis.FallbackCounters`): the limits hold per process,
never fail open.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio
from prometheus_client import CollectorRegistry
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gateway.settings import Settings
from storyscape_common.errors import ApiError

logger = logging.getLogger("gateway.rate_limits")

STORY_CREATION = ("POST", "/v1/stories")
# A user over the stream cap can only retry once one of their streams ends; we cannot know when, so a short wait.
STREAM_CAP_RETRY_SECONDS = 1


@dataclass(frozen=True)
class Limits:
    stories_per_minute: float
    burst: int
    max_streams: int
    lease_seconds: float

    @property
    def refill_per_second(self) -> float:
        return self.stories_per_minute / 60.0


@dataclass(frozen=True)
class Denied:
    retry_after_seconds: int
    reason: str


class Counters(Protocol):
    """Where the bucket and the stream slots of each user are kept."""

    async def take(self, user_id: str, slot: str) -> Denied | None: ...
    async def renew(self, user_id: str, slot: str) -> None: ...
    async def refund(self, user_id: str) -> None: ...
    async def release(self, user_id: str, slot: str) -> None: ...
    async def close(self) -> None: ...


@dataclass
class LocalCounters:
    """Counters in this process (one gateway process, or development)."""

    limits: Limits
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # user → (tokens, at monotonic time)
    streams: dict[str, set[str]] = field(default_factory=dict)

    async def take(self, user_id: str, slot: str) -> Denied | None:
        now = time.monotonic()
        slots = self.streams.setdefault(user_id, set())
        if len(slots) >= self.limits.max_streams:
            return Denied(STREAM_CAP_RETRY_SECONDS, f"at most {self.limits.max_streams} story streams at a time")
        tokens, at = self.buckets.get(user_id, (float(self.limits.burst), now))
        tokens = min(float(self.limits.burst), tokens + (now - at) * self.limits.refill_per_second)
        if tokens < 1.0:
            wait = math.ceil((1.0 - tokens) / self.limits.refill_per_second)
            return Denied(max(1, wait), f"at most {self.limits.stories_per_minute:g} new stories per minute")
        self.buckets[user_id] = (tokens - 1.0, now)
        slots.add(slot)
        return None

    async def renew(self, user_id: str, slot: str) -> None:
        return None  # a slot in this process lives exactly as long as its stream

    async def refund(self, user_id: str) -> None:
        if user_id in self.buckets:
            tokens, at = self.buckets[user_id]
            self.buckets[user_id] = (min(float(self.limits.burst), tokens + 1.0), at)

    async def release(self, user_id: str, slot: str) -> None:
        slots = self.streams.get(user_id)
        if slots is not None:
            slots.discard(slot)
            if not slots:
                del self.streams[user_id]

    async def close(self) -> None:
        return None


class StoryLimits:
    """Admits a story creation or answers 429; the admitted response releases its slot when the stream ends."""

    def __init__(self, counters: Counters, limits: Limits) -> None:
        self.counters = counters
        self.limits = limits

    async def admit(self, user_id: str) -> str:
        slot = uuid.uuid4().hex
        # No except here: with Redis down the counters answer from this process, and a limit that cannot be checked
        # must not let the story through.
        denied = await self.counters.take(user_id, slot)
        if denied is not None:
            headers = {"Retry-After": str(denied.retry_after_seconds)}
            raise ApiError(429, "rate_limited", f"too many stories: {denied.reason}", headers=headers)
        return slot

    async def relay(self, request: Request, user_id: str, call: Callable[[], Awaitable[Response]]) -> Response:
        """`call()` relays the request; a story creation is admitted first and holds a stream slot until it ends."""
        if (request.method, request.url.path) != STORY_CREATION:
            return await call()
        slot = await self.admit(user_id)
        try:
            response = await call()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.release(user_id, slot)
            raise
        if response.status_code >= 400:
            # No story was started (invalid request, model busy, key in use): it does not count against the user.
            await self.refund(user_id)
        return SlotHoldingResponse(response, limits=self, user_id=user_id, slot=slot)

    async def refund(self, user_id: str) -> None:
        try:
            await self.counters.refund(user_id)
        except Exception as exc:  # noqa: BLE001 - at worst the user waits for one more token
            logger.warning("could not refund a story token", extra={"fields": {"error": type(exc).__name__}})

    async def release(self, user_id: str, slot: str) -> None:
        try:
            await self.counters.release(user_id, slot)
        except Exception as exc:  # noqa: BLE001 - a slot in Redis expires with its lease anyway
            logger.warning("could not release a stream slot", extra={"fields": {"error": type(exc).__name__}})

    async def close(self) -> None:
        await self.counters.close()


def limits_from(settings: Settings) -> Limits:
    return Limits(
        stories_per_minute=settings.story_rate_per_minute,
        burst=settings.story_burst,
        max_streams=settings.max_concurrent_streams,
        lease_seconds=settings.stream_slot_lease_seconds,
    )


def story_limits(settings: Settings, *, registry: CollectorRegistry) -> StoryLimits:
    """Counters in Redis (this process's while it is unreachable) when a URL is configured, else in this process."""
    limits = limits_from(settings)
    if not settings.redis_url:
        return StoryLimits(LocalCounters(limits), limits)
    from gateway.rate_limits_redis import FallbackCounters, RedisCounters, RedisOutage  # Redis is loaded only if used

    redis = RedisCounters.connect(settings.redis_url, limits, timeout_seconds=settings.redis_timeout_seconds)
    outage = RedisOutage(registry=registry, retry_seconds=settings.redis_retry_seconds)
    return StoryLimits(FallbackCounters(redis, LocalCounters(limits), outage), limits)


class SlotHoldingResponse(Response):
    """Sends the wrapped response; renews the slot's lease meanwhile and releases it however the stream ends."""

    def __init__(self, inner: Response, *, limits: StoryLimits, user_id: str, slot: str) -> None:
        # Not calling Response.__init__: this only wraps `inner`, which renders its own status, headers and body.
        self.inner = inner
        self.status_code = inner.status_code
        self.background = None
        self.limits = limits
        self.user_id = user_id
        self.slot = slot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as task_group:
                task_group.start_soon(self.keep_lease)
                await self.inner(scope, receive, send)
                task_group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self.limits.release(self.user_id, self.slot)

    async def keep_lease(self) -> None:
        while True:
            await anyio.sleep(self.limits.limits.lease_seconds / 3)
            try:
                await self.limits.counters.renew(self.user_id, self.slot)
            except Exception as exc:  # noqa: BLE001 - the next renewal may succeed; the stream goes on either way
                logger.warning("could not renew a stream slot", extra={"fields": {"error": type(exc).__name__}})
