"""Per-user story limits at the gateway: a burst then 429 with Retry-After, a cap on open streams, others unaffected.

Each test runs with the counters in this process and in Redis (127.0.0.1:6379), against a story-service stand-in
whose streams stay open until the test releases them.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from storyscape_devtools.testing import LiveServer

from gateway.rate_limits import Limits
from gateway.rate_limits_redis import RedisCounters
from gateway_tests.conftest import GatewayFactory
from storyscape_common.sse import SSE_MEDIA_TYPE, encode_event

Bearer = Callable[..., dict[str, str]]
REDIS_URL = "redis://127.0.0.1:6379/0"


class HeldStories:
    """story-service stand-in: each stream sends `story.started`, then waits for the test to release it."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.app = FastAPI()
        self.app.post("/v1/stories")(self.create)

    async def create(self, request: Request, hold: bool = False, invalid: bool = False) -> Response:
        self.calls += 1
        if invalid:
            return JSONResponse({"error": {"code": "invalid_request", "message": "bad", "request_id": None}}, status_code=422)

        async def stream() -> AsyncIterator[bytes]:
            yield encode_event("story.started", {"id": uuid.uuid4().hex})
            if hold:
                # Set by the fixture at teardown; the gateway closing the stream does not depend on it.
                await asyncio.to_thread(self.release.wait, 30)
            yield encode_event("story.completed", {"text": "done"})

        return StreamingResponse(stream(), media_type=SSE_MEDIA_TYPE)


@pytest.fixture(params=["in-process", "redis"])
def limited_gateway(request: pytest.FixtureRequest, make_gateway: GatewayFactory) -> Iterator[tuple[LiveServer, HeldStories]]:
    stories = HeldStories()
    redis_url = REDIS_URL if request.param == "redis" else ""
    with LiveServer(stories.app) as story_service:
        settings = {"story_url": story_service.url, "redis_url": redis_url, "story_burst": 3, "max_concurrent_streams": 2}
        with make_gateway(**settings) as gateway:
            yield gateway, stories
        stories.release.set()


async def create_story(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/v1/stories", json={"prompt": "a fox"}, headers=headers)


async def test_a_burst_then_429_with_retry_after_before_any_upstream_call(
    limited_gateway: tuple[LiveServer, HeldStories], bearer: Bearer
) -> None:
    gateway, stories = limited_gateway
    user = bearer(f"burst-{uuid.uuid4().hex}")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        answers = [await create_story(client, user) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        refused = await create_story(client, user)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 6  # one story per 6 s at 10 per minute
        assert stories.calls == 3

        # Someone else is not held back by this user's burst.
        other = await create_story(client, bearer(f"other-{uuid.uuid4().hex}"))
        assert other.status_code == 200
        # Reading a story is not a story creation.
        assert (await client.get("/v1/stories/x", headers=user)).status_code != 429


async def test_at_most_two_open_streams_and_a_slot_comes_back_when_the_client_leaves(
    limited_gateway: tuple[LiveServer, HeldStories], bearer: Bearer
) -> None:
    gateway, stories = limited_gateway
    user = bearer(f"streams-{uuid.uuid4().hex}")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client, AsyncExitStack() as open_streams:
        for _ in range(2):
            held = client.stream("POST", "/v1/stories", params={"hold": "true"}, json={"prompt": "a fox"}, headers=user)
            response = await open_streams.enter_async_context(held)
            assert response.status_code == 200
        third = await create_story(client, user)
        assert third.status_code == 429
        assert third.json()["error"]["code"] == "rate_limited"
        assert "Retry-After" in third.headers
        assert (await create_story(client, bearer(f"other-{uuid.uuid4().hex}"))).status_code == 200
        await open_streams.aclose()  # the client leaves both streams mid-story

        # The gateway notices the hang-up and frees the slots; the bucket still has a token left.
        for _ in range(100):
            again = await create_story(client, user)
            if again.status_code == 200:
                break
            await asyncio.sleep(0.05)
        assert again.status_code == 200


async def test_refused_requests_do_not_use_up_the_allowance(limited_gateway: tuple[LiveServer, HeldStories], bearer: Bearer) -> None:
    gateway, _ = limited_gateway
    user = bearer(f"invalid-{uuid.uuid4().hex}")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        for _ in range(5):
            invalid = await client.post("/v1/stories", params={"invalid": "true"}, json={"prompt": " "}, headers=user)
            assert invalid.status_code == 422
        assert [(await create_story(client, user)).status_code for _ in range(4)] == [200, 200, 200, 429]


async def test_a_slot_in_redis_expires_when_its_gateway_stops_renewing_it() -> None:
    """A gateway that dies cannot release; its users' slots free themselves when the lease runs out."""
    limits = Limits(stories_per_minute=600, burst=10, max_streams=1, lease_seconds=1)
    counters = RedisCounters.connect(REDIS_URL, limits)
    user = f"lease-{uuid.uuid4().hex}"
    try:
        assert await counters.take(user, "slot-of-a-dead-gateway") is None
        denied = await counters.take(user, "second")
        assert denied is not None and denied.retry_after_seconds >= 1
        await asyncio.sleep(1.2)
        assert await counters.take(user, "after-the-lease") is None
    finally:
        await counters.close()
