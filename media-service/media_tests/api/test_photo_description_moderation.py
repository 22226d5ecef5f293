"""The photo's description is moderated like the photo: gpt-4o (a loopback server speaking its protocol) describing
a safe photo in unsafe words gets the upload refused with `content_blocked`, and nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from media_service.main import create_app
from media_tests.utils.fake_openai_vision import API_KEY, Scripted, vision_app
from media_tests.utils.jobs import caller, client, user
from media_tests.utils.live import LocalMediaServer
from media_tests.utils.settings import local_settings
from storyscape_common.clients.media import MediaClient
from storyscape_common.errors import ApiError
from storyscape_safety import blocked_message

PHOTO = (Path(__file__).parent.parent / "data" / "coffee_cc0.jpg").read_bytes()  # a cup of coffee: the photo is safe
UNSAFE_DESCRIPTIONS = {
    "en": "A man points a gun at the child and says he will kill him.",
    "hi": "एक आदमी बच्चे पर बंदूक तानता है और उसे मार डालने की धमकी देता है।",
}


@pytest.fixture(scope="module")
def scripted() -> Scripted:
    return Scripted()


@pytest.fixture(scope="module")
def described_by_gpt4o(scripted: Scripted, test_keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalMediaServer]:
    """media-service whose vision step is gpt-4o on a loopback server that says what `scripted` says."""
    port = free_port()
    with LiveServer(vision_app(scripted=scripted)) as vision:
        settings = local_settings(
            keys=test_keys, local_dir=tmp_path_factory.mktemp("described"), public_base_url=f"http://127.0.0.1:{port}",
            openai_api_key=API_KEY, openai_base_url=f"{vision.url}/v1", workers=0,
        )  # fmt: skip
        with LiveServer(create_app(settings), port=port) as live:
            yield LocalMediaServer(settings=settings, url=live.url)


@pytest.fixture
async def media(described_by_gpt4o: LocalMediaServer, test_keys: TestKeys) -> AsyncIterator[MediaClient]:
    media_client = client(described_by_gpt4o.url, test_keys)
    try:
        yield media_client
    finally:
        await media_client.aclose()


def description_blocks() -> float:
    """storyscape_content_blocked_total for descriptions, all categories."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "storyscape_content_blocked"
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("source") == "image_description"
    )


@pytest.mark.parametrize("language", ["en", "hi"])
async def test_an_unsafe_description_blocks_the_upload_and_nothing_is_stored(
    language: str, scripted: Scripted, media: MediaClient, described_by_gpt4o: LocalMediaServer
) -> None:
    scripted.text = UNSAFE_DESCRIPTIONS[language]
    user_id, blocks_before = user(), description_blocks()
    with pytest.raises(ApiError) as refused:
        await media.upload_photo(PHOTO, language=language, identity=caller(user_id))
    assert (refused.value.status, refused.value.code) == (422, "content_blocked")
    assert refused.value.message == blocked_message(language)  # the same kind answer as for an unsafe photo
    assert described_by_gpt4o.stored_uploads(user_id) == []
    assert description_blocks() == blocks_before + 1


async def test_a_safe_description_is_returned_and_the_photo_stored(
    scripted: Scripted, media: MediaClient, described_by_gpt4o: LocalMediaServer
) -> None:
    scripted.text = "A white cup of coffee on a saucer, seen from above. The light is bright."
    user_id = user()
    uploaded = await media.upload_photo(PHOTO, language="en", identity=caller(user_id))
    assert (uploaded.description, uploaded.provider) == (scripted.text, "openai")
    assert described_by_gpt4o.stored_uploads(user_id) == [Path(described_by_gpt4o.settings.local_dir) / uploaded.object_key]
