"""A 60-letter Devanagari word, as a prompt or in the model's own output, is answered in seconds, and another
reader's story on the same story-service process keeps streaming meanwhile (moderation cannot stall the service).

story-service runs in a child process, so a moderator that holds the GIL stalls it and not this test, which
watches from outside; history-service, the tiny model and a paced OpenAI-speaking server stay in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys

from story_tests.conftest import Neighbours
from story_tests.utils.answers_openai import Answer, Script, answers_app
from story_tests.utils.sse_client import user_headers
from story_tests.utils.story_process import story_process
from storyscape_common.sse import ServerSentEvent, iter_events

# Nineteen Hindi words written without vowel signs, run together: every letter is a consonant (category Lo), the
# shape on which the old masked-word pattern backtracked exponentially (20 letters: 0.3 s; 60: longer than a life).
WORD = "कमलनयनजलधरगगनमगननटवरसरसनगरपवनवचनभवनमहलसरलकलशअचलअटलधवलचमनजलचर"
LONG_WORD_PHRASE = "the longest word"
# The other reader's story: a sentence every 100 ms for 40 s, so it streams all through the measurement.
PACED = Answer("The kite flew up high. " * 400, seconds_per_word=0.02)
ANSWER_WITHIN_S = 5.0
LONGEST_PAUSE_S = 1.5


@dataclass
class Watched:
    """A story stream read in the background: when each event arrived."""

    arrivals: list[float] = field(default_factory=list)
    first: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def story_url(keys: TestKeys, neighbours: Neighbours, tmp_path: Path) -> Iterator[str]:
    script = Script(default=PACED, by_phrase={LONG_WORD_PHRASE: Answer(f"Once there was a word: {WORD}. It was very long.")})
    with LiveServer(answers_app(script)) as openai:
        settings: dict[str, Any] = {
            "history_url": neighbours.history.url, "llm_url": neighbours.llm.url,
            "openai_api_key": "test-key", "openai_base_url": f"{openai.url}/v1", "english_model": "gpt-test",
        }  # fmt: skip
        with story_process(keys, tmp_path, **settings) as url:
            yield url


async def watch(client: httpx.AsyncClient, url: str, keys: TestKeys, watched: Watched) -> None:
    body = {"prompt": "A kite on a windy day", "language": "en"}
    headers = user_headers(keys, "reader-" + secrets.token_hex(4))
    async with client.stream("POST", f"{url}/v1/stories", json=body, headers=headers) as response:
        async for _ in iter_events(response.aiter_lines()):
            watched.arrivals.append(time.monotonic())
            watched.first.set()


async def answer(client: httpx.AsyncClient, url: str, keys: TestKeys, body: dict[str, str]) -> tuple[int, list[ServerSentEvent]]:
    headers = user_headers(keys, "word-" + secrets.token_hex(4))
    async with client.stream("POST", f"{url}/v1/stories", json=body, headers=headers) as response:
        if response.status_code != 200:
            return response.status_code, [ServerSentEvent("error", (await response.aread()).decode())]
        return 200, [event async for event in iter_events(response.aiter_lines())]


def longest_pause(arrivals: list[float], start: float, end: float) -> float:
    moments = [start, *(moment for moment in arrivals if start < moment < end), end]
    return max(later - earlier for earlier, later in zip(moments, moments[1:], strict=False))


@pytest.mark.parametrize(
    "body",
    [{"prompt": WORD, "language": "hi"}, {"prompt": f"A story with {LONG_WORD_PHRASE} in it", "language": "en"}],
    ids=["as-prompt", "in-model-output"],
)
async def test_a_60_letter_word_is_answered_in_seconds_while_another_story_keeps_streaming(
    story_url: str, keys: TestKeys, body: dict[str, str]
) -> None:
    assert len(WORD) == 60
    watched = Watched()
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=None)) as client:
        other = asyncio.create_task(watch(client, story_url, keys, watched))
        await asyncio.wait_for(watched.first.wait(), 60)  # the other story streams (and the moderator is warm)
        start = time.monotonic()
        try:
            status, events = await asyncio.wait_for(answer(client, story_url, keys, body), ANSWER_WITHIN_S)
        except TimeoutError:
            status, events = 0, []
        end = time.monotonic()
        other.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await other

    assert status != 0, f"no answer within {ANSWER_WITHIN_S} s"
    if status == 200:
        last = events[-1]
        assert last.event == "story.completed" or (last.event, last.json()["code"]) == ("error", "content_blocked"), last
    else:
        assert (status, events[0].data.count("content_blocked")) == (422, 1), events[0].data
    assert longest_pause(watched.arrivals, start, end) < LONGEST_PAUSE_S, "the other reader's story stopped meanwhile"
