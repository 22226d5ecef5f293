"""Generated pictures pass the image classifier before they are stored: when OpenAI Images (a loopback server
speaking its protocol) returns a picture the classifier flags, the reader gets the neutral plate, never those bytes,
and `storyscape_illustrations_replaced_total` counts it on `/metrics`."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from media_service.main import create_app
from media_tests.utils.fake_openai import Behaviour, create_fake_openai
from media_tests.utils.jobs import ENGLISH_STORY, caller, client, job_settings, new_story_id, user, wait_all_finished
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate, MediaImage
from storyscape_safety import OfflineModerator

STAND_IN = Path(__file__).resolve().parents[1] / "data" / "nsfw_stand_in_16px.png"


def unsafe_picture() -> bytes:
    """The NSFW stand-in at gpt-image-1's size: a PNG the offline classifier flags (asserted below)."""
    with Image.open(STAND_IN) as small:
        picture = small.convert("RGB").resize((1536, 1024), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


UNSAFE = unsafe_picture()


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour()


@pytest.fixture
def media_url(behaviour: Behaviour, keys: TestKeys, tmp_path: Path) -> Iterator[str]:
    """media-service drawing with OpenAI Images on a loopback server; moderation is the offline default."""
    port = free_port()
    with LiveServer(create_fake_openai(behaviour)) as openai:
        settings = job_settings(
            keys=keys, local_dir=tmp_path / "objects", database_url=f"sqlite:///{tmp_path / 'media.db'}",
            public_base_url=f"http://127.0.0.1:{port}", openai_api_key="sk-test-key", openai_base_url=f"{openai.url}/v1",
            illustrator="openai",
        )  # fmt: skip
        with LiveServer(create_app(settings), port=port) as live:
            yield live.url


@pytest.fixture
async def media(media_url: str, keys: TestKeys) -> AsyncIterator[MediaClient]:
    media_client = client(media_url, keys)
    try:
        yield media_client
    finally:
        await media_client.aclose()


async def cover(media: MediaClient, *, user_id: str, ai_images: bool) -> tuple[MediaImage, bytes]:
    """Register the English story, ask for its cover, and fetch the picture the reader would be shown."""
    story_id = new_story_id()
    await media.register_story(story_id, ENGLISH_STORY, identity=caller(user_id))
    request = IllustrationsCreate(ai_images=ai_images, slots=[{"index": 0}])  # type: ignore[list-item]
    await media.request_illustrations(story_id, request, identity=caller(user_id))
    (job,) = (await wait_all_finished(media, story_id, user_id=user_id)).values()
    assert job.state == "succeeded" and job.image is not None, job
    async with httpx.AsyncClient() as http:
        served = await http.get(job.image.url)
    assert served.status_code == 200
    return job.image, served.content


async def replaced_count(media_url: str) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{media_url}/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "storyscape_illustrations_replaced"
        for sample in family.samples
        if sample.name.endswith("_total") and sample.labels == {"provider": "openai"}
    )


async def test_the_stand_in_is_what_the_image_classifier_refuses() -> None:
    assert (await OfflineModerator().check_image(UNSAFE)).blocked


async def test_an_unsafe_generated_picture_is_replaced_by_the_neutral_plate(
    media: MediaClient, media_url: str, behaviour: Behaviour
) -> None:
    behaviour.picture = UNSAFE
    alice = user()
    image, shown = await cover(media, user_id=alice, ai_images=True)
    assert behaviour.requests, "the picture was asked of OpenAI Images"
    served_unsafe = shown == UNSAFE
    assert not served_unsafe and image.kind == "neutral"
    # Exactly what a reader with AI pictures turned off sees for the same story.
    _, neutral = await cover(media, user_id=alice, ai_images=False)
    assert shown == neutral
    assert await replaced_count(media_url) == 1


async def test_a_safe_generated_picture_is_shown_as_it_came(media: MediaClient, media_url: str, behaviour: Behaviour) -> None:
    image, shown = await cover(media, user_id=user(), ai_images=True)
    with Image.open(io.BytesIO(shown)) as picture:
        assert (picture.size, picture.getpixel((10, 10))) == ((1536, 1024), (90, 160, 220))  # the loopback's blue plate
    assert image.kind == "ai"
    assert await replaced_count(media_url) == 0
