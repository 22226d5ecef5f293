"""A story blocked mid-stream for a prompt that passed moderation is written once more (a new seed) before the child
is told it was blocked: a loopback OpenAI-speaking server scripts each attempt, history-service keeps what was saved."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from storyscape_devtools.testing import LiveServer, TestKeys

from story_tests.conftest import Neighbours
from story_tests.utils.answers_openai import Answer, Script, answers_app
from story_tests.utils.sse_client import collect_story, story_text, user_headers
from story_tests.utils.stack import story_server
from storyscape_safety import blocked_message

UNSAFE = "Once upon a time there was a cat. I will kill you, said the man. The cat ran far away."
CLEAN = "A small cat found a red ball. She played with it all day. Then she slept in the warm sun."
STORY = {"prompt": "A cat in the city", "language": "en", "age_group": "3-5", "genres": ["animals"]}


@dataclass
class Stack:
    story: LiveServer
    history: LiveServer
    script: Script


@pytest.fixture(scope="module")
def stack(keys: TestKeys, neighbours: Neighbours) -> Iterator[Stack]:
    script = Script(default=Answer(CLEAN))
    with LiveServer(answers_app(script)) as openai:
        story = story_server(
            keys, history_url=neighbours.history.url, llm_url=neighbours.llm.url,
            openai_api_key="test-key", openai_base_url=f"{openai.url}/v1", english_model="gpt-test",
        )  # fmt: skip
        with story:
            yield Stack(story, neighbours.history, script)


async def regenerations(stack: Stack) -> dict[str, float]:
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{stack.story.url}/metrics")
    families = text_string_to_metric_families(page.text)
    return {
        sample.labels["outcome"]: sample.value
        for family in families
        if family.name == "storyscape_story_regenerations"
        for sample in family.samples
        if sample.name.endswith("_total")
    }


async def saved_texts(stack: Stack, keys: TestKeys, user_id: str) -> list[str]:
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{stack.history.url}/v1/stories", headers=user_headers(keys, user_id, "history-service"))
    assert page.status_code == 200
    return [story["text"] for group in page.json()["groups"] for story in group["stories"]]


async def test_a_story_blocked_mid_stream_is_written_again_and_only_the_clean_one_is_saved(
    stack: Stack, keys: TestKeys, caplog: pytest.LogCaptureFixture
) -> None:
    user_id, before, asked = "regen-" + secrets.token_hex(6), await regenerations(stack), len(stack.script.requests)
    stack.script.queue[:] = [Answer(UNSAFE), Answer(CLEAN)]
    with caplog.at_level(logging.INFO, logger="story_service"):
        events = await collect_story(stack.story.url, keys, user_id=user_id, body=STORY)

    names = [event.event for event in events]
    assert names == ["story.started", "story.delta", "story.restarted", "story.delta", "story.delta", "story.delta", "story.completed"]
    restarted = names.index("story.restarted")
    assert events[restarted].json() == {"reason": "content_blocked"}
    assert story_text(events[:restarted]) == "Once upon a time there was a cat."  # shown, then to be discarded
    assert story_text(events[restarted:]) == CLEAN
    story = events[-1].json()["story"]
    assert story["text"] == CLEAN and story["id"] == events[0].json()["story_id"]
    assert await saved_texts(stack, keys, user_id) == [CLEAN]

    first, second = stack.script.requests[asked:]
    assert "seed" not in first and isinstance(second["seed"], int)  # a new sample, not the same one again
    assert first["messages"] == second["messages"]
    after = await regenerations(stack)
    assert (after["recovered"] - before["recovered"], after["blocked"] - before["blocked"]) == (1, 0)
    logged = [record for record in caplog.records if record.getMessage() == "story regenerated"]
    assert [record.fields for record in logged] == [{"story_id": story["id"], "outcome": "recovered"}]  # type: ignore[attr-defined]
    assert not any("kill" in record.getMessage() or "kill" in str(vars(record)) for record in caplog.records)


async def test_a_story_blocked_twice_ends_with_content_blocked_and_nothing_is_saved(stack: Stack, keys: TestKeys) -> None:
    user_id, before, asked = "regen-" + secrets.token_hex(6), await regenerations(stack), len(stack.script.requests)
    stack.script.queue[:] = [Answer(UNSAFE), Answer(UNSAFE)]
    events = await collect_story(stack.story.url, keys, user_id=user_id, body=STORY)

    assert [event.event for event in events] == ["story.started", "story.delta", "story.restarted", "story.delta", "error"]
    assert events[-1].json() == {"code": "content_blocked", "message": blocked_message("en")}
    assert "kill" not in story_text(events)
    assert await saved_texts(stack, keys, user_id) == []
    assert len(stack.script.requests) - asked == 2  # one regeneration, not more
    after = await regenerations(stack)
    assert (after["recovered"] - before["recovered"], after["blocked"] - before["blocked"]) == (0, 1)


async def test_a_clean_story_is_written_once(stack: Stack, keys: TestKeys) -> None:
    user_id, before, asked = "regen-" + secrets.token_hex(6), await regenerations(stack), len(stack.script.requests)
    stack.script.queue.clear()
    events = await collect_story(stack.story.url, keys, user_id=user_id, body=STORY)

    assert "story.restarted" not in [event.event for event in events] and events[-1].event == "story.completed"
    assert await saved_texts(stack, keys, user_id) == [CLEAN]
    assert len(stack.script.requests) - asked == 1
    assert await regenerations(stack) == before
