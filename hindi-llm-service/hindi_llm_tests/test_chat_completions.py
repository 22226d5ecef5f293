"""Chat completions through the official OpenAI client: whole and streamed answers, usage, limits, stop strings."""

from __future__ import annotations

from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from storyscape_devtools.testing import TestKeys

from hindi_llm_tests.conftest import BASE_MODEL, Served
from hindi_llm_tests.utils.clients import internal_token, openai_client

MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "You tell stories."},
    {"role": "user", "content": "एक कहानी सुनाओ"},
]


def client_for(served: Served, keys: TestKeys) -> AsyncOpenAI:
    return openai_client(served.server, internal_token(keys))


async def greedy_text(client: AsyncOpenAI, max_tokens: int, model: str = BASE_MODEL) -> str:
    completion = await client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=max_tokens, temperature=0)
    return completion.choices[0].message.content or ""


async def test_whole_completion_has_openai_shape_and_real_usage(served: Served, keys: TestKeys) -> None:
    async with client_for(served, keys) as client:
        completion = await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=12, temperature=0)
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == BASE_MODEL
    choice = completion.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert choice.finish_reason == "length"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 12
    assert completion.usage.prompt_tokens > 10
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 12


async def test_stream_with_usage_matches_the_whole_answer(served: Served, keys: TestKeys) -> None:
    async with client_for(served, keys) as client:
        whole = await greedy_text(client, 30)
        stream = await client.chat.completions.create(
            model=BASE_MODEL, messages=MESSAGES, max_tokens=30, temperature=0, stream=True, stream_options={"include_usage": True}
        )
        chunks = [chunk async for chunk in stream]
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert len({c.id for c in chunks}) == 1 and {c.model for c in chunks} == {BASE_MODEL}
    assert chunks[0].choices[0].delta.role == "assistant"
    content = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content) > 5, "text arrives token by token"
    assert "".join(c.choices[0].delta.content or "" for c in content) == whole
    finishing = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finishing] == ["length"]
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == [] and usage_chunk.usage is not None
    assert usage_chunk.usage.completion_tokens == 30
    assert all(c.usage is None for c in chunks[:-1])


async def test_stream_without_include_usage_sends_no_usage_chunk(served: Served, keys: TestKeys) -> None:
    async with client_for(served, keys) as client:
        stream = await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=5, temperature=0, stream=True)
        chunks = [chunk async for chunk in stream]
    assert all(c.choices for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "length"


def stop_across_chunks(pieces: list[str]) -> str:
    """A string that starts in one streamed chunk and ends in the next, and occurs nowhere earlier."""
    full = "".join(pieces)
    for index in range(2, len(pieces) - 1):
        stop = pieces[index][-2:] + pieces[index + 1][:2]
        if full.find(stop) == len("".join(pieces[: index + 1])) - len(pieces[index][-2:]):
            return stop
    raise AssertionError("no chunk boundary to put a stop string across")


async def test_stop_strings_end_the_answer_before_them(served: Served, keys: TestKeys) -> None:
    async with client_for(served, keys) as client:
        plain = await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=80, temperature=0, stream=True)
        pieces = [c.choices[0].delta.content async for c in plain if c.choices and c.choices[0].delta.content]
        full = "".join(pieces)
        stop = stop_across_chunks(pieces)
        expected = full[: full.find(stop)]
        whole = await client.chat.completions.create(
            model=BASE_MODEL, messages=MESSAGES, max_tokens=80, temperature=0, stop=[stop, "never-generated"]
        )
        stream = await client.chat.completions.create(
            model=BASE_MODEL, messages=MESSAGES, max_tokens=80, temperature=0, stop=stop, stream=True
        )
        chunks = [chunk async for chunk in stream]
    assert whole.choices[0].message.content == expected
    assert whole.choices[0].finish_reason == "stop"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == expected, "no part of the stop string leaks into the stream"
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_seeded_sampling_repeats_and_seeds_differ(served: Served, keys: TestKeys) -> None:
    async with client_for(served, keys) as client:

        async def sample(seed: int) -> str:
            completion = await client.chat.completions.create(
                model=BASE_MODEL, messages=MESSAGES, max_tokens=20, temperature=1.0, top_p=0.9, seed=seed
            )
            return completion.choices[0].message.content or ""

        first, again, other = await sample(7), await sample(7), await sample(8)
    assert first == again
    assert first != other
