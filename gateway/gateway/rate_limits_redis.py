"""The per-user story limits kept in Redis, shared by every gateway process: one Lua script decides atomically."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from gateway.rate_limits import STREAM_CAP_RETRY_SECONDS, Denied, Limits

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
    def connect(cls, url: str, limits: Limits) -> RedisCounters:
        return cls(Redis.from_url(url), limits)

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
