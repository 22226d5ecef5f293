"""Story limits with Redis unreachable: each gateway keeps them in its own memory, never no limit; back to Redis after.

Redis is really unreachable here: a closed port, or a private `redis-server` killed mid-test and started again on
the same port. Two gateways share that Redis, so whether they share the counters is what a user can notice.
"""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, ExitStack

import httpx
import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from storyscape_devtools.testing import LiveServer, free_port

from gateway_tests.conftest import GatewayFactory
from gateway_tests.test_rate_limits import HeldStories, create_story

Bearer = Callable[..., dict[str, str]]
RETRY_SECONDS = 0.3
LIMITS = {"story_burst": 3, "max_concurrent_streams": 2, "redis_retry_seconds": RETRY_SECONDS}


class PrivateRedis:
    """A redis-server of this test's own on a free port, which the test may kill and start again on that port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except RedisConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.02)
        client.close()

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()


@pytest.fixture
def stories() -> Iterator[tuple[HeldStories, LiveServer]]:
    held = HeldStories()
    with LiveServer(held.app) as story_service:
        yield held, story_service
        held.release.set()


class LimitLog(logging.Handler):
    """The rate-limit logger's records (the app's JSON logging owns the root logger, not this one)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def count(self, words: str) -> int:
        return sum(words in message for message in self.messages)


@pytest.fixture
def limit_log() -> Iterator[LimitLog]:
    handler = LimitLog()
    logger = logging.getLogger("gateway.rate_limits")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


async def metric(client: httpx.AsyncClient, name: str) -> float:
    text = (await client.get("/metrics")).text
    found = re.search(rf"^{name} ([0-9.e+]+)$", text, flags=re.M)
    assert found is not None, f"{name} not in /metrics"
    return float(found.group(1))


async def assert_burst_then_429(client: httpx.AsyncClient, user: dict[str, str]) -> None:
    answers = [await create_story(client, user) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[3].headers["retry-after"]) <= 6


async def assert_two_streams_then_429(client: httpx.AsyncClient, user: dict[str, str]) -> None:
    async with AsyncExitStack() as open_streams:
        for _ in range(2):
            held = client.stream("POST", "/v1/stories", params={"hold": "true"}, json={"prompt": "a fox"}, headers=user)
            assert (await open_streams.enter_async_context(held)).status_code == 200
        third = await create_story(client, user)
        assert third.status_code == 429 and third.json()["error"]["code"] == "rate_limited"
        assert "Retry-After" in third.headers


async def shared_burst(one: httpx.AsyncClient, two: httpx.AsyncClient, user: dict[str, str]) -> list[int]:
    """Two stories through the first gateway, then two through the second: shared counters refuse the fourth."""
    answers = [await create_story(one, user), await create_story(one, user)]
    answers += [await create_story(two, user), await create_story(two, user)]
    return [a.status_code for a in answers]


async def test_with_redis_unreachable_from_the_start_the_burst_and_stream_caps_still_answer_429(
    make_gateway: GatewayFactory, stories: tuple[HeldStories, LiveServer], bearer: Bearer, limit_log: LimitLog
) -> None:
    held, story_service = stories
    closed_port = free_port()  # nothing listens here
    settings = {"story_url": story_service.url, "redis_url": f"redis://127.0.0.1:{closed_port}/0", **LIMITS}
    with make_gateway(**settings) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            await assert_burst_then_429(client, bearer(f"burst-{uuid.uuid4().hex}"))
            await assert_two_streams_then_429(client, bearer(f"streams-{uuid.uuid4().hex}"))
            assert held.calls == 5  # the refused ones never reached story-service
            assert await metric(client, "storyscape_rate_limit_in_process") == 1
            assert await metric(client, "storyscape_rate_limit_fallback_total") == 7
    assert limit_log.count("Redis unreachable") == 1  # one outage, one line, however many requests it saw


async def test_redis_killed_mid_run_then_back_the_limits_hold_throughout_and_are_shared_again(
    make_gateway: GatewayFactory,
    stories: tuple[HeldStories, LiveServer],
    private_redis: PrivateRedis,
    bearer: Bearer,
    limit_log: LimitLog,
) -> None:
    _, story_service = stories
    settings = {"story_url": story_service.url, "redis_url": private_redis.url, **LIMITS}
    with ExitStack() as gateways:
        one, two = (gateways.enter_context(make_gateway(**settings)) for _ in range(2))
        async with httpx.AsyncClient(base_url=one.url, timeout=10) as first, httpx.AsyncClient(base_url=two.url, timeout=10) as second:
            # Redis up: one allowance for both gateways.
            assert await shared_burst(first, second, bearer(f"before-{uuid.uuid4().hex}")) == [200, 200, 200, 429]
            assert await metric(first, "storyscape_rate_limit_in_process") == 0

            private_redis.kill()
            await assert_burst_then_429(first, bearer(f"during-{uuid.uuid4().hex}"))
            await assert_two_streams_then_429(first, bearer(f"streams-{uuid.uuid4().hex}"))
            await assert_burst_then_429(second, bearer(f"during-{uuid.uuid4().hex}"))
            # Each gateway counts on its own meanwhile: a user gets a burst from each, no more.
            assert await shared_burst(first, second, bearer(f"split-{uuid.uuid4().hex}")) == [200, 200, 200, 200]
            assert await metric(first, "storyscape_rate_limit_in_process") == 1

            private_redis.start()
            await asyncio.sleep(RETRY_SECONDS + 0.1)  # the next request after the retry interval tries Redis again
            assert await shared_burst(first, second, bearer(f"after-{uuid.uuid4().hex}")) == [200, 200, 200, 429]
            assert await metric(first, "storyscape_rate_limit_in_process") == 0
            assert await metric(second, "storyscape_rate_limit_in_process") == 0
    # One gateway's log: its outage began and ended once each (the two gateways share this logger).
    assert limit_log.count("Redis unreachable") == 2
    assert limit_log.count("Redis answers again") == 2
