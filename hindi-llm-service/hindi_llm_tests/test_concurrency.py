"""Requests share the model: concurrent streams both progress, and a client that leaves stops its generation."""

from __future__ import annotations

import asyncio
import time

import httpx
import openai
import pytest
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from storyscape_devtools.testing import TestKeys

from hindi_llm_tests.conftest import BASE_MODEL, Served
from hindi_llm_tests.utils.clients import internal_token, openai_client, wait_for_progress, wait_for_steady

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Tell me a very long story."}]
LONG = 4000


async def stream_text(client: AsyncOpenAI, max_tokens: int) -> str:
    stream = await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=max_tokens, temperature=0, stream=True)
    return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])


async def test_a_short_stream_finishes_while_a_long_one_is_still_generating(served: Served, keys: TestKeys) -> None:
    async with openai_client(served.server, internal_token(keys)) as client:
        alone = await stream_text(client, 20)
        before = served.tokens_generated()
        long_stream = await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=400, temperature=0, stream=True)
        await anext(aiter(long_stream))
        beside = await stream_text(client, 20)
        generated_meanwhile = served.tokens_generated() - before
        long_chunks = [c async for c in long_stream]
    assert beside == alone, "interleaved generations keep separate state"
    assert generated_meanwhile < 400, "the short request did not wait for the long one to finish"
    assert long_chunks[-1].choices[0].finish_reason == "length"


async def test_a_disconnected_stream_stops_generating_and_frees_its_slot(single_slot: Served, keys: TestKeys) -> None:
    token = internal_token(keys)
    async with openai_client(single_slot.server, token) as client:
        stream = await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=LONG, temperature=0, stream=True)
        received = 0
        async for _ in stream:
            received += 1
            if received == 5:
                break
        with pytest.raises(openai.APIStatusError) as busy:
            await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=5)
        assert busy.value.status_code == 503 and busy.value.response.headers["retry-after"] == "1"
        started_at = single_slot.tokens_generated()
        await stream.close()

        stopped_at = await wait_for_steady(single_slot.tokens_generated)
        assert stopped_at - started_at < LONG // 2, "generation stopped soon after the client left"
        started = time.monotonic()
        completion = await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=5, temperature=0)
    assert completion.choices[0].finish_reason == "length"
    assert time.monotonic() - started < 2, "the only slot was free again at once"


async def test_a_disconnected_whole_request_stops_generating(single_slot: Served, keys: TestKeys) -> None:
    body = {"model": BASE_MODEL, "messages": MESSAGES, "max_tokens": LONG, "temperature": 0}
    headers = {"Authorization": f"Bearer {internal_token(keys)}"}
    started_at = single_slot.tokens_generated()
    async with httpx.AsyncClient(base_url=single_slot.url) as http:
        request = asyncio.create_task(http.post("/v1/chat/completions", json=body, headers=headers))
        await wait_for_progress(single_slot.tokens_generated, beyond=started_at + 50)
        request.cancel()
        await asyncio.gather(request, return_exceptions=True)
    stopped_at = await wait_for_steady(single_slot.tokens_generated)
    assert stopped_at - started_at < LONG // 2
