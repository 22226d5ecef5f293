"""A child's uploaded photo is recorded against its owner, becomes a story's photo when history-service saves the
story, goes with that story, is swept when no saved story claimed it, and account deletion removes every object
and row of one user and nothing of another's. SQLite and PostgreSQL; the local store and S3 (MiniStack)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aioboto3
import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port, postgres_database

from media_service.main import MIGRATIONS, create_app
from media_service.repository import attach_upload, record_upload
from media_service.service import user_prefix
from media_service.settings import Settings
from media_service.storage import ObjectStore, S3ObjectStore, create_object_store, s3_location
from media_service.sweeper import UploadSweeper
from media_tests.utils import images
from media_tests.utils.jobs import ENGLISH_STORY, caller, client, job_settings, new_story_id, user, wait_all_finished
from media_tests.utils.settings import s3_settings
from media_tests.utils.uploads import MovableClock, rows_of, uploads
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate
from storyscape_common.db import create_engine, run_migrations, session_factory
from storyscape_common.errors import ApiError

MAX_AGE_S = 3600.0
SWEEP_EVERY_S = 0.1


@pytest.fixture(params=["sqlite-local", "postgresql-local", "sqlite-s3"])
def case(request: pytest.FixtureRequest) -> tuple[str, str]:
    database, store = request.param.split("-")
    return database, store


@pytest.fixture
def database_url(case: tuple[str, str], tmp_path: Path) -> Iterator[str]:
    if case[0] == "postgresql":
        with postgres_database("media_uploads") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'media.db'}"


@pytest.fixture
def settings(case: tuple[str, str], database_url: str, keys: TestKeys, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    local = job_settings(
        keys=keys,
        local_dir=tmp_path / "objects",
        database_url=database_url,
        public_base_url=f"http://127.0.0.1:{free_port()}",
        upload_max_age_s=MAX_AGE_S,
        upload_sweep_interval_s=SWEEP_EVERY_S,
    )
    if case[1] == "local":
        return local
    shared = {"database_url", "job_poll_s", "job_backoff_s", "job_lease_s", "upload_max_age_s", "upload_sweep_interval_s"}
    credentials, bucket = request.getfixturevalue("s3_credentials"), request.getfixturevalue("s3_bucket")
    return s3_settings(keys=keys, credentials=credentials, bucket=bucket, **local.model_dump(include=shared))


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def server(settings: Settings, clock: MovableClock) -> Iterator[LiveServer]:
    port = int(settings.public_base_url.rsplit(":", 1)[1]) if settings.object_store == "local" else free_port()
    with LiveServer(create_app(settings, clock=clock), port=port) as live:
        yield live


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


@pytest.fixture
async def story_service(server: LiveServer, keys: TestKeys) -> AsyncIterator[MediaClient]:
    media = client(server.url, keys, issuer="story-service")
    yield media
    await media.aclose()


@pytest.fixture
async def history_service(server: LiveServer, keys: TestKeys) -> AsyncIterator[MediaClient]:
    media = client(server.url, keys, issuer="history-service")
    yield media
    await media.aclose()


async def upload(media: MediaClient, user_id: str) -> str:
    return (await media.upload_photo(images.jpeg_with_gps(), language="en", identity=caller(user_id))).object_key


async def photo_story(story: MediaClient, history: MediaClient, user_id: str) -> tuple[str, str]:
    """What a saved Image & Prompt story leaves here: story-service uploads, history-service claims it on save."""
    key, story_id = await upload(story, user_id), new_story_id()
    assert (await history.attach_photo(story_id, key, identity=caller(user_id))).attached
    return story_id, key


async def test_an_upload_is_recorded_with_its_owner_until_a_saved_story_claims_it(
    story_service: MediaClient, history_service: MediaClient, database_url: str, clock: MovableClock
) -> None:
    alice, bob, story_id = user(), user(), new_story_id()
    key = await upload(story_service, alice)
    recorded = (await uploads(database_url, user_id=alice))[key]
    assert (recorded.user_id, recorded.story_id, recorded.created_at) == (alice, None, clock.now)
    assert await uploads(database_url, user_id=bob) == {}

    assert not (await history_service.attach_photo(story_id, key, identity=caller(bob))).attached  # not bob's photo
    assert (await history_service.attach_photo(story_id, key, identity=caller(alice))).attached
    assert (await history_service.attach_photo(story_id, key, identity=caller(alice))).attached  # a retried save
    assert not (await history_service.attach_photo(new_story_id(), key, identity=caller(alice))).attached  # one story's
    assert (await uploads(database_url, user_id=alice))[key].story_id == story_id

    # The same photo again is another object: deleting one story's photo never takes another story's.
    assert await upload(story_service, alice) != key


async def test_deleting_a_story_deletes_its_photo_and_clearing_history_all_claimed_photos(
    story_service: MediaClient, history_service: MediaClient, store: ObjectStore, database_url: str
) -> None:
    alice = user()
    first, first_key = await photo_story(story_service, history_service, alice)
    second, second_key = await photo_story(story_service, history_service, alice)
    third, third_key = await photo_story(story_service, history_service, alice)
    in_progress = await upload(story_service, alice)  # a story being written: no saved story claims it yet

    deleted = await history_service.delete_story_media(first, identity=caller(alice))
    assert (deleted.stories, deleted.objects) == (1, 1)
    assert [await store.exists(key) for key in (first_key, second_key, third_key, in_progress)] == [False, True, True, True]
    assert first_key not in await uploads(database_url, user_id=alice)

    assert (await history_service.delete_stories_media([second], identity=caller(alice))).objects == 1
    assert not await store.exists(second_key)
    cleared = await history_service.delete_user_media(identity=caller(alice))
    assert (cleared.stories, cleared.objects) == (1, 1)
    assert [await store.exists(key) for key in (third_key, in_progress)] == [False, True]
    assert list(await uploads(database_url, user_id=alice)) == [in_progress]  # left to the sweeper
    again = await history_service.delete_story_media(first, identity=caller(alice))
    assert (again.stories, again.objects) == (0, 0)  # idempotent: history-service's outbox may send it twice


async def eventually_gone(store: ObjectStore, key: str, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    # Polling the store: the sweeper runs on its own timer and tells no one when it has deleted something.
    while await store.exists(key):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_an_unclaimed_upload_is_swept_after_the_max_age_and_a_claimed_one_is_kept(
    story_service: MediaClient, history_service: MediaClient, store: ObjectStore, database_url: str, clock: MovableClock
) -> None:
    alice = user()
    abandoned = await upload(story_service, alice)  # its story was blocked, abandoned or never finished
    _, saved = await photo_story(story_service, history_service, alice)
    clock.advance(MAX_AGE_S - 60)
    younger = await upload(story_service, alice)
    await asyncio.sleep(10 * SWEEP_EVERY_S)  # several sweeps, none of which may take anything yet
    assert set(await uploads(database_url, user_id=alice)) == {abandoned, saved, younger}

    clock.advance(120)
    assert await eventually_gone(store, abandoned)
    left = await uploads(database_url, user_id=alice)
    assert abandoned not in left  # object first, then the row: both gone
    assert set(left) == {saved, younger} and [await store.exists(key) for key in (saved, younger)] == [True, True]
    # Too late to claim: the story is saved without a photo rather than pointing at a deleted one.
    assert not (await history_service.attach_photo(new_story_id(), abandoned, identity=caller(alice))).attached


async def test_two_sweepers_at_once_delete_every_stale_upload_once_and_keep_claimed_ones(
    database_url: str, store: ObjectStore, clock: MovableClock
) -> None:
    """Two processes' sweepers (two engines) over the same rows and objects: nothing fails, nothing is left."""
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        await run_migrations(engines[0], script_location=MIGRATIONS)
        alice, sessions = user(), session_factory(engines[0])
        keys = [f"{user_prefix(alice)}/uploads/stale-{i}.jpg" for i in range(130)]
        async with sessions.begin() as session:
            for key in keys:
                record_upload(session, object_key=key, user_id=alice, now=clock.now)
        await asyncio.gather(*(store.put(key, b"photo", content_type="image/jpeg") for key in keys))
        async with sessions.begin() as session:
            assert await attach_upload(session, user_id=alice, object_key=keys[0], story_id="kept-story", now=clock.now)

        clock.advance(MAX_AGE_S + 1)
        sweepers = [UploadSweeper(sessions=session_factory(e), store=store, max_age_s=MAX_AGE_S, clock=clock) for e in engines]
        swept = await asyncio.gather(*(sweeper.sweep() for sweeper in sweepers))
        assert sum(swept) >= len(keys) - 1
        assert list(await uploads(database_url, user_id=alice)) == [keys[0]]
        assert sorted(await store.keys(user_prefix(alice) + "/")) == [keys[0]]
    finally:
        for engine in engines:
            await engine.dispose()


async def test_account_deletion_removes_every_object_and_row_of_one_user_only(
    server: LiveServer, story_service: MediaClient, history_service: MediaClient, store: ObjectStore, database_url: str
) -> None:
    alice, bob = user(), user()
    for someone in (alice, bob):
        story_id, _ = await photo_story(story_service, history_service, someone)
        await story_service.register_story(story_id, ENGLISH_STORY, identity=caller(someone))
        await story_service.request_illustrations(story_id, IllustrationsCreate(ai_images=False), identity=caller(someone))
        await story_service.request_narration(story_id, identity=caller(someone))
        await wait_all_finished(story_service, story_id, user_id=someone)
        await upload(story_service, someone)  # and one no saved story claimed
    # A photo stored before uploads were recorded: no row names it, the prefix still does.
    await store.put(f"{user_prefix(alice)}/uploads/from-before.jpg", b"photo", content_type="image/jpeg")
    bobs_keys = sorted(await store.keys(user_prefix(bob) + "/"))
    bobs_rows = await rows_of(database_url, user_id=bob)
    assert len(await store.keys(user_prefix(alice) + "/")) == len(bobs_keys) + 1 == 6  # 2 photos, 2 pictures, 1 voice
    assert bobs_rows == {"media_stories": 1, "media_jobs": 3, "media_uploads": 2}

    with pytest.raises(ApiError) as refused:  # only the account-deletion job (story-service) deletes accounts
        await history_service.delete_account_media(identity=caller(alice))
    assert refused.value.status == 403
    await story_service.delete_account_media(identity=caller(alice))
    assert await store.keys(user_prefix(alice) + "/") == []
    assert await rows_of(database_url, user_id=alice) == {"media_stories": 0, "media_jobs": 0, "media_uploads": 0}
    assert sorted(await store.keys(user_prefix(bob) + "/")) == bobs_keys
    assert await rows_of(database_url, user_id=bob) == bobs_rows
    await story_service.delete_account_media(identity=caller(alice))  # idempotent: the deletion job may retry

    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.delete("/internal/me")).status_code == 401
