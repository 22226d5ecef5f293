"""Stories read from history carry their pictures (fresh URLs) from media-service; deleting a story deletes its
objects from the store (local directory and S3), its source photo included, durably: media-service being down only
delays it. Saving a photo story claims its upload at media-service, so the upload sweeper keeps it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aioboto3
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from history_service.main import create_app as create_history_app
from history_tests.utils.api import HistoryCaller, history_settings
from media_service.main import create_app as create_media_app
from media_service.settings import Settings as MediaSettings
from media_tests.utils import images
from media_tests.utils.jobs import caller, client, job_settings, wait_all_finished
from media_tests.utils.ministack import MiniStackServer, S3Credentials, ensure_ministack
from media_tests.utils.settings import s3_settings
from storyscape_common.contracts.media import IllustrationsCreate, StoryText


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[S3Credentials, str]]:
    server = MiniStackServer()
    try:
        server.start(ensure_ministack())
        # In a thread: the async test asking for this fixture already runs an event loop.
        with ThreadPoolExecutor(1) as thread:
            credentials = thread.submit(asyncio.run, server.create_s3_user(name="media-service")).result()
        yield credentials, "history-media-test"
    finally:
        server.stop()


def media_settings(kind: str, keys: TestKeys, directory: Path, port: int, request: pytest.FixtureRequest) -> MediaSettings:
    base = f"http://127.0.0.1:{port}"
    if kind == "local":
        return job_settings(
            keys=keys, local_dir=directory / "objects", database_url=f"sqlite:///{directory}/media.db", public_base_url=base
        )
    credentials, bucket = request.getfixturevalue("s3")
    return s3_settings(
        keys=keys,
        credentials=credentials,
        bucket=bucket,
        s3_create_bucket=True,
        database_url=f"sqlite:///{directory}/media.db",
        job_poll_s=0.2,
    )


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


async def stored_keys(settings: MediaSettings) -> list[str]:
    """What the store holds, looked at directly (files on disk, or the bucket's listing)."""
    if settings.object_store == "local":
        return await asyncio.to_thread(files_under, Path(settings.local_dir))
    session = aioboto3.Session(
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
    )
    async with session.client("s3", endpoint_url=settings.s3_endpoint_url) as s3c:
        listing = await s3c.list_objects_v2(Bucket=settings.s3_bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


async def illustrated(media_url: str, keys: TestKeys, *, user_id: str, story: dict[str, Any]) -> None:
    """What story-service does when a story completes: register it, ask for its two pictures, wait for them."""
    media = client(media_url, keys)
    try:
        text = StoryText(title=story["title"], text=story["text"], language=story["language"], genres=story["genres"])
        await media.register_story(story["id"], text, identity=caller(user_id))
        await media.request_illustrations(story["id"], IllustrationsCreate(ai_images=True), identity=caller(user_id))
        await wait_all_finished(media, story["id"], user_id=user_id)
    finally:
        await media.aclose()


async def eventually_empty(get: Any, timeout_s: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout_s
    # Polling the store itself: nothing tells the test when media-service has deleted an object.
    while (found := await get()) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    return list(found)


@pytest.fixture
async def history(keys: TestKeys, tmp_path: Path) -> AsyncIterator[tuple[HistoryCaller, int]]:
    """history-service (SQLite) pointed at a media-service port the test starts (or not)."""
    media_port = free_port()
    settings = history_settings(
        keys, database_url=f"sqlite:///{tmp_path}/history.db", media_url=f"http://127.0.0.1:{media_port}", media_outbox_poll_seconds=0.2
    )
    with LiveServer(create_history_app(settings)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            yield HistoryCaller(http, keys), media_port


@pytest.mark.parametrize("store", ["local", "s3"])
async def test_pictures_are_read_back_and_deleted_with_the_story(
    store: str, history: tuple[HistoryCaller, int], keys: TestKeys, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    alice, media_port = history
    settings = media_settings(store, keys, tmp_path, media_port, request)
    story = await alice.saved()
    with LiveServer(create_media_app(settings), port=media_port) as media:
        await illustrated(media.url, keys, user_id=alice.user_id, story=story)
        objects = await stored_keys(settings)
        assert len([key for key in objects if story["id"] in key]) == 2

        read = (await alice.get(story["id"])).json()
        assert [(image["index"], image["kind"]) for image in read["images"]] == [(0, "ai"), (1, "ai")]
        async with httpx.AsyncClient(timeout=10) as http:
            for image in read["images"]:
                assert (await http.get(image["url"])).status_code == 200
        listed = (await alice.list()).json()["groups"][0]["stories"][0]
        assert listed["id"] == story["id"] and len(listed["images"]) == 2

        bob = HistoryCaller(alice.client, keys)
        assert (await bob.get(story["id"])).status_code == 404

        assert (await alice.delete(story["id"])).status_code == 204
        assert await eventually_empty(lambda: _story_keys(settings, story["id"])) == []


async def media_page_reads(media_url: str) -> float:
    """How many page reads media-service has answered (its own request counter)."""
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{media_url}/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels.get("route") == "/internal/media/read"
    )


async def test_a_page_of_stories_reads_its_media_in_one_call(
    history: tuple[HistoryCaller, int], keys: TestKeys, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    alice, media_port = history
    settings = media_settings("local", keys, tmp_path, media_port, request)
    stories = [await alice.saved() for _ in range(4)]
    with LiveServer(create_media_app(settings), port=media_port) as media:
        for story in stories[:3]:
            await illustrated(media.url, keys, user_id=alice.user_id, story=story)
        before = await media_page_reads(media.url)
        listed = [story for group in (await alice.list()).json()["groups"] for story in group["stories"]]
        after = await media_page_reads(media.url)
    assert {story["id"]: len(story["images"]) for story in listed} == {story["id"]: 2 if story in stories[:3] else 0 for story in stories}
    assert after - before == 1, "one call to media-service for the whole page, not one per story"


async def _story_keys(settings: MediaSettings, story_id: str) -> list[str]:
    return [key for key in await stored_keys(settings) if story_id in key]


async def test_a_deletion_waits_for_media_service_and_history_reads_without_it(
    history: tuple[HistoryCaller, int], keys: TestKeys, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    alice, media_port = history
    settings = media_settings("local", keys, tmp_path, media_port, request)
    kept, doomed = await alice.saved(), await alice.saved()
    with LiveServer(create_media_app(settings), port=media_port) as media:
        for story in (kept, doomed):
            await illustrated(media.url, keys, user_id=alice.user_id, story=story)
    assert len(await stored_keys(settings)) == 4

    # media-service is down: reads still answer (without media), quickly, and the clear is queued.
    started = time.monotonic()
    read = await alice.get(kept["id"])
    assert read.status_code == 200 and read.json()["images"] == [] and time.monotonic() - started < 5
    assert (await alice.client.put(f"/v1/stories/{kept['id']}/favorite", headers=alice.headers())).status_code == 200
    assert (await alice.client.delete("/v1/stories", headers=alice.headers())).json()["deleted"] == 1
    await asyncio.sleep(1.0)
    assert len(await stored_keys(settings)) == 4

    with LiveServer(create_media_app(settings), port=media_port):
        assert await eventually_empty(lambda: _story_keys(settings, doomed["id"])) == []
        assert len(await _story_keys(settings, kept["id"])) == 2  # the favorite kept its pictures
        assert len((await alice.get(kept["id"])).json()["images"]) == 2


async def test_saving_a_photo_story_waits_for_media_service(history: tuple[HistoryCaller, int]) -> None:
    """media-service down: the save is refused (503) for story-service's outbox to retry, so the photo is never
    swept from under a saved story."""
    alice, _ = history
    refused = await alice.save(mode="image_prompt", source_image_key="users/abc/uploads/photo.jpg")
    assert (refused.status_code, refused.json()["error"]["code"]) == (503, "upstream_unavailable")
    assert (await alice.list()).json()["groups"] == []


@pytest.mark.parametrize("store", ["local", "s3"])
async def test_a_photo_story_keeps_its_photo_until_the_reader_deletes_it(
    store: str, history: tuple[HistoryCaller, int], keys: TestKeys, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Saving claims the upload at media-service, so the sweeper keeps it while an abandoned story's photo goes;
    deleting the story, or clearing history, deletes the photo from the store (history's durable deletion path)."""
    alice, media_port = history
    sweeping = {"upload_max_age_s": 4.0, "upload_sweep_interval_s": 0.2}
    settings = media_settings(store, keys, tmp_path, media_port, request).model_copy(update=sweeping)
    with LiveServer(create_media_app(settings), port=media_port) as media:
        story_service = client(media.url, keys)
        try:
            uploads = [
                await story_service.upload_photo(images.jpeg_with_gps(), language="en", identity=caller(alice.user_id)) for _ in range(3)
            ]
            abandoned, first, second = (uploaded.object_key for uploaded in uploads)
            saved = [
                await alice.saved(mode="image_prompt", image_description=uploaded.description, source_image_key=uploaded.object_key)
                for uploaded in uploads[1:]
            ]
            saved_by = time.monotonic()
        finally:
            await story_service.aclose()
        photo = (await alice.get(saved[0]["id"])).json()["source_image"]
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.get(photo["url"])).status_code == 200

        assert await eventually_empty(lambda: _keys_named(settings, abandoned)) == []  # swept after the max age
        # Past the saved ones' max age too, and a few sweeps more: claimed by saved stories, they are kept.
        await asyncio.sleep(max(0.0, saved_by + sweeping["upload_max_age_s"] + 5 * sweeping["upload_sweep_interval_s"] - time.monotonic()))
        assert {first, second} <= set(await stored_keys(settings))

        assert (await alice.delete(saved[0]["id"])).status_code == 204
        assert await eventually_empty(lambda: _keys_named(settings, first)) == []
        assert second in await stored_keys(settings)
        assert (await alice.clear()).json()["deleted"] == 1
        assert await eventually_empty(lambda: _keys_named(settings, second)) == []


async def _keys_named(settings: MediaSettings, key: str) -> list[str]:
    return [found for found in await stored_keys(settings) if found == key]
