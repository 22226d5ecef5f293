"""A cap on the generations each model server runs at once: over it, `POST /v1/stories` is 503 `upstream_unavailable`
with `Retry-After` before any model call; a full OpenAI route falls back to the local one; a slot comes back when a
story ends, the reader's leaving included.

The model servers are loopback stand-ins speaking OpenAI's chat stream whose stories stay open until released.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from story_tests.utils.broken_openai import chunk
from story_tests.utils.sse_client import DEFAULT_STORY, user_headers
from story_tests.utils.stack import TINY_MODEL, story_server
from storyscape_common.sse import ServerSentEvent, iter_events

HINDI_STORY = DEFAULT_STORY | {"language": "hi", "prompt": "एक छोटा हाथी जो पानी से डरता है"}


class HeldModel:
    """A model server whose stories send their first sentences, then wait until the test releases them."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.requests = 0
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self.completions)
        self.app.post("/v1/moderations")(self.no_moderations)

    async def completions(self, request: Request) -> StreamingResponse:
        self.requests += 1
        await request.json()

        async def frames() -> AsyncIterator[bytes]:
            yield chunk("Once upon a time a small owl lived in a tree.")
            yield chunk(" She loved the moon!")
            await asyncio.to_thread(self.release.wait, 30)  # set at teardown; a reader leaving does not wait for it
            yield chunk(" Every night she sang to it.")
            yield b"data: [DONE]\n\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    async def no_moderations(self) -> JSONResponse:
        # Not offered here: story-service's moderator falls back to the offline checks.
        return JSONResponse({"error": {"message": "not offered here", "type": "invalid_request_error"}}, status_code=404)


@pytest.fixture
def held_models() -> Iterator[tuple[HeldModel, LiveServer, HeldModel, LiveServer]]:
    local, openai = HeldModel(), HeldModel()
    with LiveServer(local.app) as local_server, LiveServer(openai.app) as openai_server:
        try:
            yield local, local_server, openai, openai_server
        finally:
            local.release.set()
            openai.release.set()


def nowhere() -> str:
    return f"http://127.0.0.1:{free_port()}"


class OpenStories:
    """Stories a test keeps open; leaving the block is the readers hanging up."""

    def __init__(self, client: httpx.AsyncClient, keys: TestKeys) -> None:
        self.client, self.keys = client, keys
        self.stack = AsyncExitStack()
        # The event readers are kept: one collected mid-stream would close its connection, which is a reader leaving.
        self.readers: list[AsyncIterator[ServerSentEvent]] = []

    async def open(self, reader: str, body: dict[str, Any]) -> str:
        """Start a story that stays open; the model named by its `story.started`."""
        stream = self.client.stream("POST", "/v1/stories", json=body, headers=user_headers(self.keys, reader))
        response = await self.stack.enter_async_context(stream)
        assert response.status_code == 200, await response.aread()
        events = iter_events(response.aiter_lines())
        self.readers.append(events)
        first = await anext(events)
        assert first.event == "story.started"
        return str(first.json()["model"])

    async def close(self) -> None:
        await self.stack.aclose()
        self.readers.clear()


def assert_busy(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert int(response.headers["retry-after"]) > 0


async def test_over_the_cap_a_story_is_503_with_retry_after_before_any_model_call_until_a_story_ends(
    keys: TestKeys, held_models: tuple[HeldModel, LiveServer, HeldModel, LiveServer]
) -> None:
    local, local_server, _, _ = held_models
    settings: dict[str, Any] = {"max_concurrent_generations_hindi_llm": 2}
    with story_server(keys, history_url=nowhere(), llm_url=local_server.url, **settings) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            stories = OpenStories(client, keys)
            for reader in ("reader-1", "reader-2"):
                await stories.open(reader, DEFAULT_STORY)
            assert_busy(await client.post("/v1/stories", json=DEFAULT_STORY, headers=user_headers(keys, "reader-3")))
            # Hindi is written by the same model server, so the same cap holds it back.
            assert_busy(await client.post("/v1/stories", json=HINDI_STORY, headers=user_headers(keys, "reader-4")))
            assert local.requests == 2

            await stories.close()  # both readers leave mid-story: their generations stop and free the slots
            for _ in range(100):
                async with client.stream("POST", "/v1/stories", json=DEFAULT_STORY, headers=user_headers(keys, "reader-3")) as again:
                    if again.status_code == 200:
                        break
                await asyncio.sleep(0.05)
            assert again.status_code == 200


async def test_a_full_openai_route_falls_back_to_the_local_model_and_both_full_is_503(
    keys: TestKeys, held_models: tuple[HeldModel, LiveServer, HeldModel, LiveServer]
) -> None:
    local, local_server, openai, openai_server = held_models
    settings: dict[str, Any] = {
        "openai_api_key": "sk-test-held",
        "openai_base_url": f"{openai_server.url}/v1",
        "english_model": "held-gpt",
        "max_concurrent_generations_openai": 1,
        "max_concurrent_generations_hindi_llm": 1,
    }
    with story_server(keys, history_url=nowhere(), llm_url=local_server.url, **settings) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            stories = OpenStories(client, keys)
            try:
                assert await stories.open("reader-1", DEFAULT_STORY) == "held-gpt"
                assert await stories.open("reader-2", DEFAULT_STORY) == TINY_MODEL
                assert_busy(await client.post("/v1/stories", json=DEFAULT_STORY, headers=user_headers(keys, "reader-3")))
                assert (openai.requests, local.requests) == (1, 1)
            finally:
                await stories.close()
