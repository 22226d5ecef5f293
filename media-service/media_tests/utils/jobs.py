"""Helpers for job tests: settings for a live media-service with a database, typed clients, sample stories."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import av
from PIL import Image
from storyscape_devtools.testing import TestKeys

from media_service.settings import Settings
from media_tests.utils.settings import local_settings
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import MediaJob, StoryText
from storyscape_common.internal_auth import Identity

HINDI_STORY = StoryText(
    title="हाथी और बंदर",
    text=(
        "एक घने जंगल में एक हाथी रहता था। उसका दोस्त एक बंदर था। "
        "एक दिन बंदर ने 12 आम तोड़े और हाथी को दिए। हाथी बहुत खुश हुआ! "
        "दोनों ने मिलकर नदी के किनारे खाना खाया। क्षमा और श्रम से दोस्ती बढ़ती है।"
    ),
    language="hi",
    genres=["animals", "friendship"],
)
ENGLISH_STORY = StoryText(
    title="The Rocket and the Moon",
    text=(
        "Mira built a small rocket in her garden. On the 3rd night, the rocket flew to the moon! "
        "A friendly robot waved at her from a crater. They counted 25 stars together and flew home before breakfast."
    ),
    language="en",
    genres=["science", "adventure"],
)


def job_settings(*, keys: TestKeys, local_dir: Path, database_url: str, public_base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "job_poll_s": 0.2,
        "job_backoff_s": 0.2,
        "job_backoff_max_s": 1.0,
        "job_lease_s": 5.0,
        **overrides,
    }
    return local_settings(keys=keys, local_dir=local_dir, public_base_url=public_base_url, **values)


def client(url: str, keys: TestKeys, issuer: str = "story-service") -> MediaClient:
    return MediaClient(base_url=url, signer=keys.signer(issuer))


def caller(user_id: str, request_id: str = "t") -> Identity:
    """The identity a request arrived with; clients re-sign it with their own service's key."""
    return Identity(user_id=user_id, request_id=request_id, issuer="storyscape:gateway", token="")


def new_story_id() -> str:
    return str(uuid.uuid4())


def user() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


async def wait_all_finished(media: MediaClient, story_id: str, *, user_id: str, timeout_s: float = 60) -> dict[str, MediaJob]:
    """Follow the story's event stream until every job finished; the last state of each job."""
    latest: dict[str, MediaJob] = {}
    async for job in media.job_updates(story_id, identity=caller(user_id, "test"), timeout_s=timeout_s):
        latest[job.id] = job
    assert latest and all(job.finished for job in latest.values()), latest
    return latest


def image_facts(data: bytes) -> tuple[str, int, int]:
    """(format, width, height), from the bytes."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format or "", image.width, image.height


def audio_seconds(data: bytes) -> float:
    """Decode every frame (fails on a broken file) and return the length."""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name in ("mp3", "mp3float", "aac")
        samples = 0
        for frame in container.decode(stream):
            samples += int(frame.samples)
        return samples / float(stream.rate or 1)
