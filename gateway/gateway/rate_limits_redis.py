"""The per-user story limits kept in Redis, shared by every gateway process: one Lua script decides atomically.

When Redis does not answer, `FallbackCounters` keeps the limits in this process until it does (never no limit).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from gateway.rate_limits import STREAM_CAP_RETRY_SECONDS, Denied, Limits, LocalCounters

logger = logging.getLogger("gateway.rate_limits")
T = TypeVar("T")
# What "Redis is unreachable" looks like: refused or dropped connections, timeouts, a server that is loading or read-only.
REDIS_DOWN = (RedisError, OSError)

# KEYS[1] bucket hash {tokens, at_ms}; KEYS[2] sorted set slot → lease expiry (ms).
# ARGV: slot, refill per ms, burst, max streams, lease ms. Returns {1} admitted, {0, retry_ms, reason}.
# Time comes from the Redis server, so gateways with skewed clocks agree.
TAKE = """
local now_time = redis.call('TIME')
local now = tonumber(now_time[1]) * 1000 + math.floor(tonumber(now_time[2]) / 1000)
local refill, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local max_streams, lease = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= max_streams then
  return {0, 0, 'streams'}
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * refill)
if tokens < 1 then
  return {0, math.ceil((1 - tokens) / refill), 'bucket'}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / refill) + 1000)
redis.call('ZADD', KEYS[2], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[2], lease)
return {1}
"""

RENEW = """
local now_time = redis.call('TIME')
local now = tonumber(now_time[1]) * 1000 + math.floor(tonumber(now_time[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""

REFUND = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if tokens then
  redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), tokens + 1)))
end
return 1
"""


@dataclass
class RedisCounters:
    redis: Redis
    limits: Limits
    prefix: str = "storyscape:gateway:limits"

    @classmethod
    def connect(cls, url: str, limits: Limits, *, timeout_seconds: float = 0.5) -> RedisCounters:
        # A short timeout: while Redis hangs, a story request waits this long once, then the fallback answers.
        # One retry on a fresh connection, so pooled connections left broken by a Redis restart are not an outage.
        redis = Redis.from_url(
            url,
            socket_connect_timeout=timeout_seconds,
            socket_timeout=timeout_seconds,
            retry=Retry(NoBackoff(), 1),
            retry_on_error=[RedisConnectionError],
        )
        return cls(redis, limits)

    def keys(self, user_id: str) -> list[str]:
        # The hash tag keeps one user's keys in one slot should this ever run on Redis Cluster.
        return [f"{self.prefix}:{{{user_id}}}:bucket", f"{self.prefix}:{{{user_id}}}:streams"]

    async def take(self, user_id: str, slot: str) -> Denied | None:
        limits = self.limits
        args = [slot, repr(limits.refill_per_second / 1000), str(limits.burst), str(limits.max_streams), self.lease_ms()]
        result = await self.redis.eval(TAKE, 2, *self.keys(user_id), *args)  # type: ignore[misc]
        if int(result[0]) == 1:
            return None
        reason = result[2].decode() if isinstance(result[2], bytes) else str(result[2])
        if reason == "streams":
            return Denied(STREAM_CAP_RETRY_SECONDS, f"at most {limits.max_streams} story streams at a time")
        wait_seconds = max(1, -(-int(result[1]) // 1000))
        return Denied(wait_seconds, f"at most {limits.stories_per_minute:g} new stories per minute")

    async def renew(self, user_id: str, slot: str) -> None:
        await self.redis.eval(RENEW, 1, self.keys(user_id)[1], slot, self.lease_ms())  # type: ignore[misc]

    def lease_ms(self) -> str:
        return str(int(self.limits.lease_seconds * 1000))

    async def refund(self, user_id: str) -> None:
        await self.redis.eval(REFUND, 1, self.keys(user_id)[0], str(self.limits.burst))  # type: ignore[misc]

    async def release(self, user_id: str, slot: str) -> None:
        await self.redis.zrem(self.keys(user_id)[1], slot)

    async def close(self) -> None:
        await self.redis.aclose()


class RedisOutage:
    """Whether Redis is to be asked now: after a failure this process stops asking it for `retry_seconds`, then one
    request tries again. Each outage is logged once when it starts and once when it ends, and shows in /metrics."""

    def __init__(self, *, registry: CollectorRegistry, retry_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.down_since: float | None = None
        self.next_try = 0.0
        self.fallbacks = Counter(
            "storyscape_rate_limit_fallback_total",
            "Story admissions decided by this gateway's own counters because Redis was unreachable",
            registry=registry,
        )
        self.in_process = Gauge(
            "storyscape_rate_limit_in_process",
            "1 while this gateway keeps the story limits in its own memory because Redis is unreachable, else 0",
            registry=registry,
        )

    def should_try(self) -> bool:
        if self.down_since is None:
            return True
        if self.clock() < self.next_try:
            return False
        self.next_try = self.clock() + self.retry_seconds  # one request probes; the others stay in-process meanwhile
        return True

    def failed(self, exc: BaseException) -> None:
        self.next_try = self.clock() + self.retry_seconds
        if self.down_since is not None:
            return
        self.down_since = self.clock()
        self.in_process.set(1)
        logger.error(
            "Redis unreachable: story limits are kept in this gateway's memory until it answers",
            extra={"fields": {"error": type(exc).__name__, "detail": str(exc)[:200]}},
        )

    def answered(self) -> None:
        if self.down_since is None:
            return
        outage_seconds = round(self.clock() - self.down_since, 3)
        self.down_since = None
        self.in_process.set(0)
        logger.warning("Redis answers again: story limits are back in Redis", extra={"fields": {"outage_seconds": outage_seconds}})


@dataclass
class FallbackCounters:
    """Redis's counters while it answers, this process's counters while it does not.

    A slot lives where it was taken: one taken in-process is renewed and released here even after Redis is back,
    and one in Redis that cannot be released during an outage expires with its lease.
    """

    redis: RedisCounters
    local: LocalCounters
    outage: RedisOutage
    local_slots: set[str] = field(default_factory=set)

    async def on_redis(self, call: Callable[[], Awaitable[T]]) -> T | None:
        """`call()`'s answer; None when Redis is (or was just found) unreachable."""
        if not self.outage.should_try():
            return None
        try:
            result = await call()
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
            return None
        self.outage.answered()
        return result

    async def take(self, user_id: str, slot: str) -> Denied | None:
        answer = await self.on_redis(lambda: self.redis_take(user_id, slot))
        if answer is not None:
            return answer.denied
        self.outage.fallbacks.inc()
        denied = await self.local.take(user_id, slot)
        if denied is None:
            self.local_slots.add(slot)
        return denied

    async def redis_take(self, user_id: str, slot: str) -> Taken:
        return Taken(await self.redis.take(user_id, slot))

    async def renew(self, user_id: str, slot: str) -> None:
        if slot not in self.local_slots:
            await self.on_redis(lambda: self.redis.renew(user_id, slot))

    async def refund(self, user_id: str) -> None:
        if await self.on_redis(lambda: self.redis_done(self.redis.refund(user_id))) is None:
            await self.local.refund(user_id)

    async def release(self, user_id: str, slot: str) -> None:
        if slot in self.local_slots:
            self.local_slots.discard(slot)
            await self.local.release(user_id, slot)
        else:
            await self.on_redis(lambda: self.redis.release(user_id, slot))

    @staticmethod
    async def redis_done(call: Awaitable[None]) -> bool:
        await call
        return True

    async def close(self) -> None:
        await self.redis.close()


@dataclass(frozen=True)
class Taken:
    """Redis's answer to a take (None inside means admitted), told apart from "Redis did not answer"."""

    denied: Denied | None
