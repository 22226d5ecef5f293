"""Requests run together in one batch: one forward pass per step for all of them, each keeping its own
adapter and sampling parameters, and waiting requests are admitted round-robin by user."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam
from storyscape_devtools.testing import TestKeys

from hindi_llm_service.settings import Settings
from hindi_llm_tests.conftest import ADAPTER, BASE_MODEL, Served, serve
from hindi_llm_tests.utils.clients import internal_token, openai_client

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "एक छोटी कहानी सुनाओ"}]
OTHER: list[ChatCompletionMessageParam] = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]


@pytest.fixture(scope="module")
def four_slots(make_settings: Callable[..., Settings]) -> Iterator[Served]:
    with serve(make_settings(max_concurrent=4)) as running:
        yield running


async def text_of(client: AsyncOpenAI, **params: Any) -> str:
    completion = await client.chat.completions.create(**({"model": BASE_MODEL, "messages": MESSAGES} | params))
    return completion.choices[0].message.content or ""


async def test_concurrent_requests_share_each_forward_pass(four_slots: Served, keys: TestKeys) -> None:
    async with openai_client(four_slots.server, internal_token(keys)) as client:
        alone = [await text_of(client, messages=m, max_tokens=40, temperature=0) for m in (MESSAGES, OTHER)]
        before = four_slots.forward_passes()
        together = await asyncio.gather(*(text_of(client, messages=m, max_tokens=40, temperature=0) for m in [MESSAGES, OTHER] * 2))
        passes = four_slots.forward_passes() - before
    assert together == alone * 2, "prompts of different lengths, padded into one batch, say what they say alone"
    assert passes < 60, f"160 tokens took {passes} forward passes: the four requests were not batched"


async def test_each_request_keeps_its_adapter_and_sampling_in_a_mixed_batch(four_slots: Served, keys: TestKeys) -> None:
    variants: list[dict[str, Any]] = [
        {"model": BASE_MODEL, "temperature": 0},
        {"model": ADAPTER, "temperature": 0},
        {"model": ADAPTER, "temperature": 1.2, "top_p": 0.9, "seed": 7},
        {"model": BASE_MODEL, "temperature": 0, "stop": ["a"]},
    ]
    async with openai_client(four_slots.server, internal_token(keys)) as client:
        alone = [await text_of(client, max_tokens=30, **v) for v in variants]
        together = await asyncio.gather(*(text_of(client, max_tokens=30, **v) for v in variants))
    assert together == alone
    assert alone[0] != alone[1], "the adapter changes what the model says"


async def first_token_at(stream: AsyncStream[ChatCompletionChunk]) -> float:
    """When the stream's first text arrived (then read it to the end)."""
    first = 0.0
    async for chunk in stream:
        if not first and chunk.choices and chunk.choices[0].delta.content:
            first = time.monotonic()
    return first


async def test_one_users_burst_does_not_hold_back_another_users_first_token(make_settings: Callable[..., Settings], keys: TestKeys) -> None:
    with serve(make_settings(max_concurrent=1, max_queued=16)) as single:
        params: dict[str, Any] = {"model": BASE_MODEL, "messages": MESSAGES, "max_tokens": 60, "temperature": 0, "stream": True}
        burst, other = (openai_client(single.server, internal_token(keys, user)) for user in ("burst", "other"))
        async with burst, other:
            # Each create returns once the engine has queued the request, so the burst is queued before the other user's.
            burst_streams = [await burst.chat.completions.create(**params) for _ in range(5)]
            other_stream = await other.chat.completions.create(**params)
            times = await asyncio.gather(*(first_token_at(s) for s in [*burst_streams, other_stream]))
    *burst_firsts, other_first = times
    assert all(times)
    assert other_first < burst_firsts[2], "the other user waited at most one turn (the burst's second request)"
    assert burst_firsts == sorted(burst_firsts), "one user's own requests still run in order"


async def test_a_prompt_sent_again_skips_its_prefill_but_not_its_adapter(four_slots: Served, keys: TestKeys) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "A prompt only this test sends."}]
    async with openai_client(four_slots.server, internal_token(keys)) as client:
        passes = []
        for model in (BASE_MODEL, BASE_MODEL, ADAPTER):
            before = four_slots.forward_passes()
            await text_of(client, model=model, messages=messages, max_tokens=1, temperature=0)
            passes.append(four_slots.forward_passes() - before)
    assert passes == [1, 0, 1], "the repeat reused the first prefill; the adapter's prompt KV differs, so it is prefilled"
