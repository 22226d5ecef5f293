"""A client that reads its story stream very slowly: the gateway holds only a bounded amount for it (backpressure
reaches the upstream), and other users' streams are not slowed down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from storyscape_devtools.testing import LiveServer

from gateway_tests.faults.stack import GATEWAY, STORY, FaultStack, user_headers
from storyscape_common.sse import encode_event, iter_events

EVENT = encode_event("story.delta", {"text": "क" * 20_000})  # ~60 KB a frame
FLOOD_BYTES = 300 * 1024 * 1024


def flooding_story_service() -> FastAPI:
    """Writes as fast as the gateway takes it (300 MB for `?flood=true`), else a short story."""
    app = FastAPI()
    app.state.sent = 0

    @app.post("/v1/stories")
    async def create(flood: bool = False) -> StreamingResponse:
        async def frames() -> AsyncIterator[bytes]:
            yield encode_event("story.started", {"story_id": "s"})
            for _ in range(FLOOD_BYTES // len(EVENT) if flood else 20):
                app.state.sent += len(EVENT) if flood else 0
                yield EVENT
                if not flood:
                    await asyncio.sleep(0.05)
            yield encode_event("story.completed", {"story": {}})

        return StreamingResponse(frames(), media_type="text/event-stream")

    return app


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[FaultStack, FastAPI]]:
    app = flooding_story_service()
    with LiveServer(app) as story_service:
        stack = FaultStack(tmp_path, extra_env={GATEWAY: {"GATEWAY_STORY_URL": story_service.url}})
        try:
            stack.start(GATEWAY)
            yield stack, app
        finally:
            stack.stop()


async def test_a_slow_reader_costs_bounded_gateway_memory_and_does_not_slow_others(stack: tuple[FaultStack, FastAPI]) -> None:
    faults, upstream = stack
    gateway = psutil.Process(faults.stack.processes[GATEWAY].pid)
    baseline_mb = gateway.memory_info().rss / 2**20
    async with (
        httpx.AsyncClient(base_url=faults.url(GATEWAY), timeout=30) as client,
        client.stream("POST", "/v1/stories", params={"flood": "true"}, json=STORY, headers=user_headers()) as slow,
    ):
        assert slow.status_code == 200
        read = 0
        chunks = slow.aiter_raw(4096)
        for _ in range(10):  # 40 KB a second: a phone on a very bad network
            read += len(await anext(chunks))
            await asyncio.sleep(0.1)

        started = time.monotonic()
        other = await client.post("/v1/stories", json=STORY, headers=user_headers())
        other_seconds = time.monotonic() - started
        events = [event.event async for event in iter_events(aiter_lines(other.text))]

        for _ in range(20):
            read += len(await anext(chunks))
            await asyncio.sleep(0.1)
        peak_mb = gateway.memory_info().rss / 2**20
        # Read while the slow reader is still connected: once it leaves, the upstream's writes go nowhere and
        # its generator runs free (uvicorn drops a body sent after a disconnect without raising).
        sent_while_connected = upstream.state.sent

    assert events[0] == "story.started" and events[-1] == "story.completed"
    assert other_seconds < 1.0 + 2.0  # 20 paced frames take 1 s; the slow reader adds next to nothing
    # The upstream is held back too: it sent about what sits in socket buffers, far from its 300 MB.
    assert sent_while_connected < 64 * 2**20, sent_while_connected
    assert peak_mb - baseline_mb < 48, (baseline_mb, peak_mb)


async def aiter_lines(text: str) -> AsyncIterator[str]:
    for line in text.splitlines():
        yield line
