"""An `Idempotency-Key` is "generating" only under a short lease: a client that left before its stream started can
retry with the same key and get a story, not a 409 for a day, even when nothing could give the key back (the process
died); while a story is being written its lease is renewed, so the key is never taken twice; a completed key still
replays its story."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from story_tests.utils.broken_openai import chunk
from story_tests.utils.sse_client import DEFAULT_STORY, user_headers
from story_tests.utils.stack import history_server, story_server
from story_tests.utils.story_process import STORY_SERVICE_DIR, wait_for_url
from storyscape_common.sse import ServerSentEvent, iter_events

FIRST = "Once upon a time a small owl lived in a tall tree."
SECOND = " She loved the moon, and every night she sang to it."


class MovableClock:
    """Real UTC time, moved by `offset` (story-service's idea of now; the lease is measured with it)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class GatedProvider:
    """A loopback server speaking OpenAI's chat stream whose answers wait at a gate: before their first token
    (`hold="first"`), after it (`hold="second"`), or not at all (`hold=None`)."""

    def __init__(self) -> None:
        self.url = ""
        self.requests = 0
        self.hold: str | None = None
        self.gate = threading.Event()
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self.completions)
        self.app.post("/v1/moderations")(self.moderations)
        self.app.get("/healthz")(self.healthz)  # story-service's readiness asks its local model server

    async def wait_at_gate(self, where: str) -> None:
        if self.hold == where:
            await asyncio.to_thread(self.gate.wait)  # set from the test's thread

    async def completions(self, request: Request) -> StreamingResponse:
        await request.json()
        self.requests += 1

        async def frames() -> AsyncIterator[bytes]:
            await self.wait_at_gate("first")
            yield chunk(FIRST)
            await self.wait_at_gate("second")
            yield chunk(SECOND)
            yield b"data: [DONE]\n\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    async def healthz(self) -> dict[str, str]:
        return {"status": "ok"}

    async def moderations(self) -> JSONResponse:
        # Not offered here: the moderator falls back to the offline one.
        return JSONResponse({"error": {"message": "not offered here", "type": "invalid_request_error"}}, status_code=404)


@pytest.fixture(scope="module")
def history(keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with history_server(keys, tmp_path_factory.mktemp("history")) as server:
        yield server


@pytest.fixture
def provider() -> Iterator[GatedProvider]:
    gated = GatedProvider()
    with LiveServer(gated.app) as server:
        gated.url = server.url
        yield gated
    gated.gate.set()


def story_service(keys: TestKeys, history: LiveServer, provider: GatedProvider, **overrides: Any) -> LiveServer:
    """story-service writing English stories with the gated provider (as OpenAI); no local model is needed."""
    return story_server(
        keys,
        history_url=history.url,
        llm_url=f"http://127.0.0.1:{free_port()}",
        openai_api_key="sk-test",
        openai_base_url=f"{provider.url}/v1",
        **overrides,
    )


async def eventually(condition: Callable[[], Any], *, within: float = 15.0, what: str = "condition") -> None:
    """Wait until `condition()` (a value or an awaitable one) is true."""
    deadline = time.monotonic() + within
    while not (await result if inspect.isawaitable(result := condition()) else result):
        assert time.monotonic() < deadline, f"{what} did not happen within {within} s"
        await asyncio.sleep(0.05)


async def story_requests_finished(http: httpx.AsyncClient) -> int:
    """`POST /v1/stories` requests story-service has finished handling, whatever their status."""
    metrics = (await http.get("/metrics")).text
    pattern = r'^http_requests_total\{[^}]*method="POST",route="/v1/stories"[^}]*\} ([0-9.e+]+)$'
    return int(sum(float(found) for found in re.findall(pattern, metrics, re.M)))


async def finished_requests_are(http: httpx.AsyncClient, count: int) -> bool:
    return await story_requests_finished(http) == count


async def story_events(http: httpx.AsyncClient, headers: dict[str, str]) -> tuple[int, list[ServerSentEvent]]:
    async with http.stream("POST", "/v1/stories", json=DEFAULT_STORY, headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            return response.status_code, []
        return 200, [event async for event in iter_events(response.aiter_lines())]


async def test_a_client_that_left_before_the_first_token_can_retry_with_its_key(
    keys: TestKeys, history: LiveServer, provider: GatedProvider
) -> None:
    provider.hold = "first"
    with story_service(keys, history, provider) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            headers = user_headers(keys, "left-early") | {"Idempotency-Key": "tap-before-the-story"}
            leaver = asyncio.create_task(story_events(http, headers))
            await eventually(lambda: provider.requests == 1, what="the model being asked")
            leaver.cancel()  # the client goes away while the model has not said a word
            with contextlib.suppress(asyncio.CancelledError):
                await leaver

            status, _ = await story_events(http, headers)
            assert status == 409  # the first request is still waiting for its first token

            provider.hold = None
            provider.gate.set()  # the first token comes when nobody is listening any more
            await eventually(lambda: finished_requests_are(http, 2), what="the abandoned request ending")
            status, events = await story_events(http, headers)
            assert status == 200 and events[-1].event == "story.completed"
            story = events[-1].json()["story"]
            assert story["text"].startswith(FIRST[:20])

            # Completed: the same key now replays that story, without asking the model again.
            asked = provider.requests
            status, replayed = await story_events(http, headers)
            assert status == 200 and [event.event for event in replayed] == ["story.started", "story.delta", "story.completed"]
            assert replayed[-1].json()["story"]["id"] == story["id"] and provider.requests == asked


async def test_a_key_taken_by_a_process_that_died_before_the_first_token_is_free_after_the_lease(
    keys: TestKeys, history: LiveServer, provider: GatedProvider, tmp_path: Path
) -> None:
    """Nothing can give the key back when the story-service process dies (a deploy, an OOM kill) before the stream
    starts: the lease runs out instead, and the reader's retry, to another replica, gets a story."""
    settings = {
        "history_url": history.url,
        "llm_url": provider.url,
        "openai_api_key": "sk-test",
        "openai_base_url": f"{provider.url}/v1",
        "database_url": f"sqlite:///{tmp_path / 'story.db'}",  # shared by both replicas
    }
    headers = user_headers(keys, "unlucky") | {"Idempotency-Key": "tap-during-a-deploy"}
    provider.hold = "first"
    with killable_story_process(keys, tmp_path, settings) as (url, child):
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            leaver = asyncio.create_task(story_events(http, headers))
            await eventually(lambda: provider.requests == 1, what="the model being asked")
            child.kill()  # before the first token
            with contextlib.suppress(httpx.HTTPError):
                await leaver
    provider.hold = None
    provider.gate.set()

    clock = MovableClock()
    with story_server(keys, clock=clock, **settings) as other_replica:
        async with httpx.AsyncClient(base_url=other_replica.url, timeout=30) as http:
            status, _ = await story_events(http, headers)
            assert status == 409  # within the lease a dead process looks like a slow one

            clock.offset = timedelta(seconds=121)  # past the 2-minute lease
            status, events = await story_events(http, headers)
            assert status == 200, "the dead process's key stayed taken after its lease"
            assert events[-1].event == "story.completed"


@contextmanager
def killable_story_process(keys: TestKeys, directory: Path, settings: dict[str, Any]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """story-service in a child process (`story_tests.utils.story_process`), and the process, to kill."""
    ready, log = directory / "story-url", directory / "story-service.log"
    config = {"keys": keys.pairs, "ready": str(ready), "settings": settings}
    with log.open("wb") as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "story_tests.utils.story_process"],
            cwd=STORY_SERVICE_DIR, stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            assert child.stdin is not None
            child.stdin.write(json.dumps(config).encode() + b"\n")
            child.stdin.flush()
            yield wait_for_url(child, ready, log), child
        finally:
            child.kill()
            child.wait()


async def test_the_lease_is_renewed_while_the_story_is_written(keys: TestKeys, history: LiveServer, provider: GatedProvider) -> None:
    """A stream that runs for many leases keeps its key: a retry meanwhile is 409, never a second story."""
    provider.hold = "second"
    with story_service(keys, history, provider, idempotency_lease_seconds=0.6, token_timeout_seconds=30) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            headers = user_headers(keys, "patient") | {"Idempotency-Key": "tap-long-story"}
            async with http.stream("POST", "/v1/stories", json=DEFAULT_STORY, headers=headers) as first:
                assert first.status_code == 200
                events = iter_events(first.aiter_lines())
                started = await anext(events)
                assert started.event == "story.started"
                for _ in range(3):  # the model is silent for five leases; the key stays taken
                    await asyncio.sleep(1.0)
                    status, _ = await story_events(http, headers)
                    assert status == 409
                assert provider.requests == 1
                provider.gate.set()
                rest = [event async for event in events]
            assert rest[-1].event == "story.completed"
            story_id = rest[-1].json()["story"]["id"]

            await asyncio.sleep(1.0)  # well past the lease: a completed key is kept 24 h, not for the lease
            status, replayed = await story_events(http, headers)
            assert status == 200 and replayed[-1].json()["story"]["id"] == story_id
            assert provider.requests == 1
