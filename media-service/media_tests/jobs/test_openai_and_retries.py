"""OpenAI Images and tts-1-hd through the official client against a loopback server speaking their protocol;
failed attempts are retried with backoff up to the limit, and a failed job can be asked for again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from openai import AsyncOpenAI
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from media_service.illustration.providers import IllustrationRequest, OpenAIIllustrator
from media_service.main import create_app
from media_service.narration.providers import OpenAINarrator
from media_tests.utils.fake_openai import Behaviour, create_fake_openai
from media_tests.utils.jobs import (
    ENGLISH_STORY,
    HINDI_STORY,
    audio_seconds,
    caller,
    client,
    image_facts,
    job_settings,
    new_story_id,
    user,
    wait_all_finished,
)
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour()


@pytest.fixture
def fake_openai(behaviour: Behaviour) -> Iterator[str]:
    with LiveServer(create_fake_openai(behaviour)) as live:
        yield f"{live.url}/v1"


@pytest.fixture
async def media(fake_openai: str, keys: TestKeys, tmp_path: Path) -> AsyncIterator[MediaClient]:
    port = free_port()
    settings = job_settings(
        keys=keys, local_dir=tmp_path / "objects", database_url=f"sqlite:///{tmp_path / 'media.db'}",
        public_base_url=f"http://127.0.0.1:{port}", openai_api_key="sk-test-key", openai_base_url=fake_openai,
        job_max_attempts=3,
    )  # fmt: skip
    with LiveServer(create_app(settings), port=port) as live:
        caller = client(live.url, keys)
        yield caller
        await caller.aclose()


def openai(base_url: str) -> AsyncOpenAI:
    return AsyncOpenAI(api_key="sk-test-key", base_url=base_url, max_retries=0)


@pytest.mark.parametrize("model", ["gpt-image-1", "dall-e-3"])
async def test_openai_illustrator_returns_a_checked_picture(fake_openai: str, behaviour: Behaviour, model: str) -> None:
    picture = await OpenAIIllustrator(openai(fake_openai), model=model).illustrate(
        IllustrationRequest(story_text="text", prompt="An elephant and a monkey by a river", caption="c")
    )
    assert image_facts(picture.data)[0] == "PNG" and max(picture.width, picture.height) >= 1536
    assert behaviour.requests[0]["model"] == model
    assert "An elephant and a monkey by a river" in behaviour.requests[0]["prompt"]


async def test_long_text_is_split_at_sentence_boundaries_and_joined(fake_openai: str, behaviour: Behaviour) -> None:
    sentences = [f"यह वाक्य संख्या {n} है।" for n in range(1, 41)]
    narrator = OpenAINarrator(openai(fake_openai), input_limit=200)
    narration = await narrator.narrate(" ".join(sentences), language="hi")
    inputs = [request["input"] for request in behaviour.requests]
    assert len(inputs) > 3 and all(len(text) <= 200 for text in inputs)
    assert all(text.endswith("।") for text in inputs)  # cut between sentences, never inside one
    assert "बीस" in " ".join(inputs) and "20" not in " ".join(inputs)  # numbers read in Hindi
    assert {request["model"] for request in behaviour.requests} == {"tts-1-hd"}
    assert abs(audio_seconds(narration.data) - narration.duration_s) < 0.3
    assert narration.duration_s == pytest.approx(sum(len(t) for t in inputs) * 0.02, abs=0.1)


async def test_failed_attempts_are_retried_until_the_job_succeeds(media: MediaClient, behaviour: Behaviour) -> None:
    behaviour.fail_first = 2
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
    request = IllustrationsCreate(ai_images=True, slots=[{"index": 0}])  # type: ignore[list-item]
    await media.request_illustrations(story_id, request, identity=caller(alice, "t"))
    (job,) = (await wait_all_finished(media, story_id, user_id=alice)).values()
    assert (job.state, job.attempts) == ("succeeded", 3)
    assert job.image is not None and job.image.kind == "ai"
    async with httpx.AsyncClient() as http:
        assert image_facts((await http.get(job.image.url)).content)[1:] == (1536, 1024)


async def test_a_job_fails_after_the_attempt_limit_and_can_be_asked_again(media: MediaClient, behaviour: Behaviour) -> None:
    behaviour.fail_first = 3
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, HINDI_STORY, identity=caller(alice, "t"))
    await media.request_narration(story_id, identity=caller(alice, "t"))
    (failed,) = (await wait_all_finished(media, story_id, user_id=alice)).values()
    assert (failed.state, failed.attempts) == ("failed", 3)
    assert failed.error and "500" in failed.error
    assert len(behaviour.requests) == 3

    again = await media.request_narration(story_id, identity=caller(alice, "t"))
    assert again.id == failed.id and again.state == "pending"
    (done,) = (await wait_all_finished(media, story_id, user_id=alice)).values()
    assert done.state == "succeeded" and done.audio is not None


async def test_media_finished_after_its_story_was_deleted_is_not_kept(media: MediaClient, behaviour: Behaviour, tmp_path: Path) -> None:
    behaviour.stall_first, behaviour.stall_s = 1, 30
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
    request = IllustrationsCreate(ai_images=True, slots=[{"index": 0}])  # type: ignore[list-item]
    await media.request_illustrations(story_id, request, identity=caller(alice, "t"))
    assert await asyncio.to_thread(behaviour.seen.wait, 30)  # the picture is being made
    deleted = await media.delete_story_media(story_id, identity=caller(alice, "t"))
    assert (deleted.stories, deleted.objects) == (1, 0)
    behaviour.release.set()  # the picture arrives after the story is gone
    # The worker's write creates the story's folder; the file in it must then be removed again.
    written, stored = False, [Path("not yet")]
    for _ in range(200):
        await asyncio.sleep(0.1)
        folders = [p for p in (tmp_path / "objects").rglob(story_id) if p.is_dir()]
        written = bool(folders)
        stored = [p for folder in folders for p in folder.iterdir()]
        if written and not stored:
            break
    assert written and stored == []
    assert (await media.jobs(story_id, identity=caller(alice, "t"))).jobs == []
