"""Deleting a story (or clearing history) deletes its pictures and voice from the store: local directory and S3."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aioboto3
import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from media_service.main import create_app
from media_service.settings import Settings
from media_service.storage import ObjectStore, S3ObjectStore, create_object_store, s3_location
from media_tests.utils.jobs import ENGLISH_STORY, HINDI_STORY, caller, client, job_settings, new_story_id, user, wait_all_finished
from media_tests.utils.ministack import S3Credentials
from media_tests.utils.settings import s3_settings
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate


@pytest.fixture(params=["local", "s3"])
def settings(request: pytest.FixtureRequest, keys: TestKeys, tmp_path: Path) -> Settings:
    port = free_port()
    local = job_settings(
        keys=keys,
        local_dir=tmp_path / "objects",
        database_url=f"sqlite:///{tmp_path / 'media.db'}",
        public_base_url=f"http://127.0.0.1:{port}",
    )
    if request.param == "local":
        return local
    credentials: S3Credentials = request.getfixturevalue("s3_credentials")
    bucket: str = request.getfixturevalue("s3_bucket")
    overrides = local.model_dump(include={"database_url", "job_poll_s", "job_backoff_s", "job_lease_s", "port"})
    return s3_settings(keys=keys, credentials=credentials, bucket=bucket, **overrides)


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    port = int(settings.public_base_url.rsplit(":", 1)[1]) if settings.object_store == "local" else free_port()
    with LiveServer(create_app(settings), port=port) as live:
        yield live


@pytest.fixture
async def media(server: LiveServer, keys: TestKeys) -> AsyncIterator[MediaClient]:
    caller = client(server.url, keys)
    yield caller
    await caller.aclose()


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[ObjectStore]:
    """The same store, opened by the test to look behind the service's back."""
    opened = (
        S3ObjectStore(location=s3_location(settings), session=aioboto3.Session())
        if settings.object_store == "s3"
        else create_object_store(settings)
    )
    await opened.start()
    yield opened
    await opened.close()


async def make_media(media: MediaClient, *, user_id: str, story_text: object = HINDI_STORY) -> tuple[str, list[str]]:
    """A story with two pictures and a narration; returns its id and its media URLs."""
    story_id = new_story_id()
    await media.register_story(story_id, story_text, identity=caller(user_id, "t"))  # type: ignore[arg-type]
    await media.request_illustrations(story_id, IllustrationsCreate(ai_images=False), identity=caller(user_id, "t"))
    await media.request_narration(story_id, identity=caller(user_id, "t"))
    await wait_all_finished(media, story_id, user_id=user_id)
    found = await media.story_media(story_id, identity=caller(user_id, "t"))
    assert found.audio is not None and len(found.images) == 2
    return story_id, [image.url for image in found.images] + [found.audio.url]


def key_of(url: str, settings: Settings) -> str:
    path = url.split("?")[0]
    marker = "/v1/media/objects/" if settings.object_store == "local" else f"/{settings.s3_bucket}/"
    return path.split(marker, 1)[1]


async def statuses(urls: list[str]) -> list[int]:
    async with httpx.AsyncClient() as http:
        return [(await http.get(url)).status_code for url in urls]


async def test_deleting_a_story_removes_its_objects(media: MediaClient, store: ObjectStore, settings: Settings) -> None:
    alice = user()
    story_id, urls = await make_media(media, user_id=alice)
    kept_id, kept_urls = await make_media(media, user_id=alice, story_text=ENGLISH_STORY)
    keys = [key_of(url, settings) for url in urls]
    assert [await store.exists(key) for key in keys] == [True, True, True]

    deleted = await media.delete_story_media(story_id, identity=caller(alice, "t"))
    assert (deleted.stories, deleted.objects) == (1, 3)
    assert [await store.exists(key) for key in keys] == [False, False, False]
    assert set(await statuses(urls)) <= {403, 404}
    assert (await media.story_media(story_id, identity=caller(alice, "t"))).images == []
    assert await statuses(kept_urls) == [200, 200, 200]  # the other story keeps its media
    again = await media.delete_story_media(story_id, identity=caller(alice, "t"))
    assert (again.stories, again.objects) == (0, 0)  # idempotent: history-service may retry


async def test_clearing_history_removes_the_users_objects_only(media: MediaClient, store: ObjectStore, settings: Settings) -> None:
    alice, bob = user(), user()
    _, first = await make_media(media, user_id=alice)
    kept_story, kept = await make_media(media, user_id=alice, story_text=ENGLISH_STORY)
    _, bobs = await make_media(media, user_id=bob)
    batch = await media.delete_stories_media([_story_of(first, settings)], identity=caller(alice, "t"))
    assert batch.objects == 3
    everything = await media.delete_user_media(identity=caller(alice, "t"))
    assert (everything.stories, everything.objects) == (1, 3)
    for url in first + kept:
        assert not await store.exists(key_of(url, settings))
    assert await statuses(bobs) == [200, 200, 200]
    assert kept_story not in [key_of(url, settings) for url in bobs]


def _story_of(urls: list[str], settings: Settings) -> str:
    return key_of(urls[0], settings).split("/")[3]
