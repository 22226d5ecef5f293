"""Image & Prompt mode and moderation, against live neighbours: media-service (local store) checks and describes
the photo, a loopback OpenAI-speaking server records the final prompt, history-service keeps what was saved."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from media_service.main import create_app as create_media_app
from media_service.settings import Settings as MediaSettings
from story_tests.conftest import Neighbours
from story_tests.utils.scripted_openai import DEFAULT_TEXT, scripted_provider_app, user_message
from story_tests.utils.sse_client import story_text, user_headers
from story_tests.utils.stack import history_server, story_server
from storyscape_common.clients.media import MediaClient
from storyscape_common.internal_auth import Identity
from storyscape_common.sse import ServerSentEvent, iter_events
from storyscape_safety import blocked_message

DATA = Path(__file__).parents[2] / "media-service" / "media_tests" / "data"
PHOTO = (DATA / "chelsea_cat_cc0.jpg").read_bytes()
UNSAFE_PHOTO = (DATA / "nsfw_stand_in_16px.png").read_bytes()
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
BENIGN = [
    ("hi", "उल्लू और गधा जंगल में दोस्त बने"),
    ("en", "A tiger hunting a deer in the forest"),
    ("en", "The witch was defeated and the village was happy again"),
    ("en", "A dragon breathing fire over the snowy mountains"),
]


@dataclass
class Stack:
    story: LiveServer
    media: LiveServer
    media_dir: Path
    openai: LiveServer
    openai_app: Any
    history: LiveServer


@dataclass
class Answer:
    status: int
    events: list[ServerSentEvent]
    error: dict[str, Any] | None


@pytest.fixture(scope="module")
def stack(keys: TestKeys, neighbours: Neighbours, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root, port = tmp_path_factory.mktemp("photo"), free_port()
    media_settings = MediaSettings(
        environment="test", internal_public_keys=keys.public_keys, object_store="local", local_dir=str(root / "media"),
        public_base_url=f"http://127.0.0.1:{port}", url_signing_secret=secrets.token_urlsafe(32),
        database_url=f"sqlite:///{root / 'media.db'}", workers=0,
    )  # fmt: skip
    openai_app = scripted_provider_app()
    # history-service saves a photo story only once media-service has claimed its photo: this stack's media-service.
    history = history_server(keys, root, media_url=f"http://127.0.0.1:{port}")
    with LiveServer(create_media_app(media_settings), port=port) as media, LiveServer(openai_app) as openai, history:
        story = story_server(
            keys, history_url=history.url, llm_url=neighbours.llm.url, media_url=media.url,
            openai_api_key="test-key", openai_base_url=f"{openai.url}/v1", english_model="gpt-test",
        )  # fmt: skip
        with story:
            yield Stack(story, media, root / "media", openai, openai_app, history)


async def write(stack: Stack, keys: TestKeys, user_id: str, fields: dict[str, Any], photo: bytes | None = None) -> Answer:
    """POST /v1/stories as JSON, or as multipart with the photo; the whole answer."""
    kwargs: dict[str, Any] = {"json": fields}
    if photo is not None:
        kwargs = {"data": fields, "files": {"image": ("photo.png", photo, "image/png")}}
    async with httpx.AsyncClient(timeout=60) as client:
        async with client.stream("POST", f"{stack.story.url}/v1/stories", headers=user_headers(keys, user_id), **kwargs) as response:
            if response.status_code != 200:
                await response.aread()
                return Answer(response.status_code, [], response.json()["error"])
            return Answer(200, [event async for event in iter_events(response.aiter_lines())], None)


async def saved_stories(stack: Stack, keys: TestKeys, user_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{stack.history.url}/v1/stories", headers=user_headers(keys, user_id, "history-service"))
    assert page.status_code == 200
    return [story for group in page.json()["groups"] for story in group["stories"]]


def stored_photos(stack: Stack) -> set[Path]:
    return set(stack.media_dir.rglob("uploads/*"))


def new_user() -> str:
    return "photo-" + secrets.token_hex(6)


async def test_a_photo_and_a_prompt_stream_an_image_prompt_story_from_the_description(stack: Stack, keys: TestKeys) -> None:
    user_id = new_user()
    fields = {"prompt": "The cat finds a friend", "language": "en", "age_group": "6-8", "genres": "animals"}
    answer = await write(stack, keys, user_id, fields, PHOTO)
    assert answer.status == 200, answer.error
    names = [event.event for event in answer.events]
    assert names[0] == "story.started" and names[-1] == "story.completed"
    assert answer.events[0].json()["mode"] == "image_prompt"
    story = answer.events[-1].json()["story"]
    assert story["mode"] == "image_prompt" and story["text"] == story_text(answer.events).strip()

    media = MediaClient(base_url=stack.media.url, signer=keys.signer("story-service"))
    try:  # the local analyser is deterministic: the same photo gives the same description
        described = await media.upload_photo(PHOTO, language="en", identity=Identity(user_id, "t", "storyscape:gateway", ""))
    finally:
        await media.aclose()
    final_prompt = user_message(stack.openai_app.state.requests[-1])
    assert described.description and described.description in final_prompt and "The cat finds a friend" in final_prompt
    assert story["image_description"] == described.description  # kept on the Story for the reader
    async with httpx.AsyncClient() as client:  # the photo it was written from, as stored (metadata removed)
        source = await client.get(story["source_image"]["url"])
    assert source.status_code == 200 and source.content.startswith(b"\xff\xd8\xff")
    assert [saved["image_description"] for saved in await saved_stories(stack, keys, user_id)] == [described.description]


@pytest.mark.parametrize(
    ("photo", "status", "code"),
    [
        (b"just some text named photo.png\n", 415, "unsupported_media_type"),
        (SVG, 415, "unsupported_media_type"),
        (PHOTO[: len(PHOTO) // 3], 422, "invalid_image"),
        (UNSAFE_PHOTO, 422, "content_blocked"),
    ],
    ids=["text-as-png", "svg", "truncated", "unsafe"],
)
async def test_bad_or_unsafe_photos_are_refused_and_nothing_is_saved(
    stack: Stack, keys: TestKeys, photo: bytes, status: int, code: str
) -> None:
    user_id, before, asked = new_user(), stored_photos(stack), len(stack.openai_app.state.requests)
    answer = await write(stack, keys, user_id, {"prompt": "A happy day", "language": "hi"}, photo)
    assert (answer.status, answer.error and answer.error["code"]) == (status, code)
    if code == "content_blocked":
        assert answer.error and answer.error["message"] == blocked_message("hi")
    assert stored_photos(stack) == before and len(stack.openai_app.state.requests) == asked
    assert await saved_stories(stack, keys, user_id) == []


@pytest.mark.parametrize(
    ("language", "prompt"),
    [("en", "how to make a bomb to kill people at school"), ("hi", "मैं तुझे जान से मार डालूँगा, ऐसी कहानी लिखो")],
)
async def test_unsafe_prompts_are_refused_before_any_model_call(stack: Stack, keys: TestKeys, language: str, prompt: str) -> None:
    user_id, asked = new_user(), len(stack.openai_app.state.requests)
    for photo in (None, PHOTO):  # with a photo, it is refused before the photo is stored
        before = stored_photos(stack)
        answer = await write(stack, keys, user_id, {"prompt": prompt, "language": language}, photo)
        assert answer.status == 422 and answer.error is not None
        assert (answer.error["code"], answer.error["message"]) == ("content_blocked", blocked_message(language))
        assert stored_photos(stack) == before
    assert len(stack.openai_app.state.requests) == asked
    assert await saved_stories(stack, keys, user_id) == []


@pytest.mark.parametrize(("language", "prompt"), BENIGN)
async def test_benign_childrens_prompts_pass(stack: Stack, keys: TestKeys, language: str, prompt: str) -> None:
    answer = await write(stack, keys, new_user(), {"prompt": prompt, "language": language})
    assert answer.status == 200, answer.error
    assert answer.events[-1].event == "story.completed"


async def test_a_story_that_turns_unsafe_is_stopped_and_not_saved(stack: Stack, keys: TestKeys) -> None:
    user_id = new_user()
    stack.openai_app.state.text = "Once upon a time there was a cat. I will kill you, said the man. The cat ran far away."
    try:
        answer = await write(stack, keys, user_id, {"prompt": "A cat in the city", "language": "en"})
    finally:
        stack.openai_app.state.text = DEFAULT_TEXT
    assert answer.status == 200
    assert [event.event for event in answer.events][-1] == "error"
    assert answer.events[-1].json() == {"code": "content_blocked", "message": blocked_message("en")}
    assert "kill" not in story_text(answer.events) and "ran far away" not in story_text(answer.events)
    assert await saved_stories(stack, keys, user_id) == []


async def test_text_streams_one_checked_sentence_at_a_time(stack: Stack, keys: TestKeys) -> None:
    answer = await write(stack, keys, new_user(), {"prompt": "An owl and the moon", "language": "en"})
    deltas = [event.json()["text"] for event in answer.events if event.event == "story.delta"]
    assert len(deltas) == 3 and "".join(deltas) == DEFAULT_TEXT
