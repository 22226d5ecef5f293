"""`POST /internal/uploads` on a live media-service: bad photos are refused by content with nothing stored,
the stored photo has no metadata, an unsafe photo is `content_blocked`, and a good one is described."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from storyscape_devtools.testing import TestKeys

from media_service.service import user_prefix
from media_tests.utils import images
from media_tests.utils.jobs import caller, client, user
from media_tests.utils.live import LocalMediaServer
from storyscape_common.clients.media import MediaClient
from storyscape_common.errors import ApiError
from storyscape_safety import blocked_message

DATA = Path(__file__).parent.parent / "data"
BAD_UPLOADS = {
    "text named .png": (images.TEXT_NAMED_PNG, 415, "unsupported_media_type"),
    "svg": (images.SVG, 415, "unsupported_media_type"),
    "png bomb": (images.png_bomb(), 413, "payload_too_large"),
    "jpeg bomb": (images.jpeg_bomb(), 413, "payload_too_large"),
    "truncated": (images.encode(images.gradient(256, 256), "PNG")[:300], 422, "invalid_image"),
}


@pytest.fixture
async def media(local_media_server: LocalMediaServer, test_keys: TestKeys) -> AsyncIterator[MediaClient]:
    media_client = client(local_media_server.url, test_keys)
    try:
        yield media_client
    finally:
        await media_client.aclose()


@pytest.mark.parametrize("case", BAD_UPLOADS)
async def test_bad_uploads_are_refused_by_content_and_nothing_is_stored(
    case: str, media: MediaClient, local_media_server: LocalMediaServer
) -> None:
    data, status, code = BAD_UPLOADS[case]
    user_id = user()
    with pytest.raises(ApiError) as refused:
        await media.upload_photo(data, language="en", identity=caller(user_id))
    assert (refused.value.status, refused.value.code) == (status, code)
    assert local_media_server.stored_uploads(user_id) == []


async def test_stored_photo_has_no_gps_and_is_described(media: MediaClient, local_media_server: LocalMediaServer) -> None:
    user_id = user()
    uploaded = await media.upload_photo(images.jpeg_with_gps(320, 200), language="hi", identity=caller(user_id))
    assert uploaded.object_key.startswith(user_prefix(user_id) + "/uploads/")
    assert uploaded.description and uploaded.provider
    async with httpx.AsyncClient() as http:
        served = await http.get(uploaded.url)
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.content)) as stored:
        assert not stored.getexif()  # no EXIF at all, so no GPS
        assert (stored.width, stored.height) == (200, 320)  # orientation 6 applied before the metadata went
    assert local_media_server.stored_uploads(user_id) == [Path(local_media_server.settings.local_dir) / uploaded.object_key]


async def test_a_photo_is_described_in_the_requested_language(media: MediaClient) -> None:
    photo = (DATA / "chelsea_cat_cc0.jpg").read_bytes()
    english = await media.upload_photo(photo, language="en", identity=caller(user()))
    hindi = await media.upload_photo(photo, language="hi", identity=caller(user()))
    assert english.description.isascii()
    assert any("\u0900" <= ch <= "\u097f" for ch in hindi.description)


async def test_an_unsafe_photo_is_content_blocked_and_not_stored(media: MediaClient, local_media_server: LocalMediaServer) -> None:
    user_id = user()
    with pytest.raises(ApiError) as refused:
        await media.upload_photo((DATA / "nsfw_stand_in_16px.png").read_bytes(), language="hi", identity=caller(user_id))
    assert (refused.value.status, refused.value.code) == (422, "content_blocked")
    assert refused.value.message == blocked_message("hi")  # kind, in Hindi, and nothing about why
    assert local_media_server.stored_uploads(user_id) == []


async def test_only_story_service_may_upload(local_media_server: LocalMediaServer, test_keys: TestKeys) -> None:
    history = client(local_media_server.url, test_keys, issuer="gateway")
    try:
        with pytest.raises(ApiError) as refused:
            await history.upload_photo(images.jpeg_with_gps(), language="en", identity=caller(user()))
    finally:
        await history.aclose()
    assert refused.value.status == 403


async def test_a_stored_photo_gets_a_fresh_url_only_for_its_owner(media: MediaClient) -> None:
    owner = user()
    uploaded = await media.upload_photo(images.jpeg_with_gps(), language="en", identity=caller(owner))
    fresh = await media.photo_url(uploaded.object_key, identity=caller(owner))
    async with httpx.AsyncClient() as http:
        assert (await http.get(fresh.url)).content.startswith(b"\xff\xd8\xff")
    for key, who in ((uploaded.object_key, user()), (uploaded.object_key.replace("uploads/", "uploads/x"), owner)):
        with pytest.raises(ApiError) as refused:
            await media.photo_url(key, identity=caller(who))
        assert refused.value.status == 404
    # The page read signs the owner's photo and leaves out what is not theirs, or not stored.
    missing = uploaded.object_key.replace("uploads/", "uploads/x")
    page = await media.read_media(["s-1"], [uploaded.object_key, missing], identity=caller(owner))
    assert list(page.photos) == [uploaded.object_key]
    async with httpx.AsyncClient() as http:
        assert (await http.get(page.photos[uploaded.object_key])).content.startswith(b"\xff\xd8\xff")
    assert (await media.read_media(["s-1"], [uploaded.object_key], identity=caller(user()))).photos == {}
