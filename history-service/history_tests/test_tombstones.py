"""A story the reader deleted does not come back: story-service's outbox may deliver it again (a retry, or a delivery
that arrives after the reader deleted it by its id), and history-service answers 410 `story_deleted` and stores
nothing while the story's tombstone is kept; tombstones are purged after their retention time."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select
from storyscape_devtools.testing import LiveServer, TestKeys

from history_service.main import create_app
from history_service.models import DeletedStoryRow
from history_tests.utils.api import HistoryCaller, history_settings
from history_tests.utils.clock import AdjustableClock
from storyscape_common.db import create_engine


async def refused_as_deleted(reader: HistoryCaller, story_id: str) -> None:
    """The outbox's delivery of `story_id` is refused as deleted, and the story is not there afterwards."""
    again = await reader.save(id=story_id)
    assert (again.status_code, again.json()["error"]["code"]) == (410, "story_deleted"), again.text
    assert (await reader.get(story_id)).status_code == 404


async def test_a_deleted_story_delivered_again_is_not_saved(alice: HistoryCaller) -> None:
    story = await alice.saved()
    kept = await alice.saved(title="The Kind Little Cloud")
    assert (await alice.delete(story["id"])).status_code == 204

    await refused_as_deleted(alice, story["id"])
    await refused_as_deleted(alice, story["id"])  # every later try too
    listed = [listed["id"] for group in (await alice.list()).json()["groups"] for listed in group["stories"]]
    assert listed == [kept["id"]]
    assert await alice.found_titles("brave") == []  # nor found by search (only the deleted one is brave)
    assert (await alice.save(id=kept["id"])).status_code == 200  # a story not deleted still answers a retry


async def test_a_story_deleted_before_it_arrived_stays_out(alice: HistoryCaller) -> None:
    """The reader deletes by the id `story.completed` gave them while history-service has not got the story yet."""
    story_id = str(uuid.uuid4())
    assert (await alice.delete(story_id)).status_code == 404
    await refused_as_deleted(alice, story_id)


async def test_clearing_history_keeps_every_cleared_story_out(alice: HistoryCaller) -> None:
    plain = await alice.saved()
    favorite = await alice.saved(title="The Favorite Kite")
    assert (await alice.favorite(favorite["id"])).status_code == 200

    assert (await alice.clear()).json() == {"deleted": 1, "kept_favorites": True}
    await refused_as_deleted(alice, plain["id"])
    assert (await alice.save(id=favorite["id"])).status_code == 200  # kept, so its retry is answered as before

    assert (await alice.clear(include_favorites="true")).json() == {"deleted": 1, "kept_favorites": False}
    await refused_as_deleted(alice, favorite["id"])


async def test_another_readers_delete_does_not_keep_a_story_out(alice: HistoryCaller, bob: HistoryCaller) -> None:
    """Tombstones are per reader: nobody can stop someone else's story from being saved by deleting its id."""
    story_id = str(uuid.uuid4())
    assert (await bob.delete(story_id)).status_code == 404
    assert (await alice.save(id=story_id)).status_code == 201
    assert (await alice.get(story_id)).status_code == 200


async def tombstones_of(database_url: str, user_id: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(DeletedStoryRow).where(DeletedStoryRow.user_id == user_id)
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def test_tombstones_are_purged_after_their_retention(database_url: str, keys: TestKeys) -> None:
    """The service's clock is moved, not waited for: a tombstone holds just before its retention ends and is purged
    just after it (by then story-service's outbox has long stopped delivering the story)."""
    clock = AdjustableClock()
    settings = history_settings(keys, database_url=database_url, tombstone_retention_hours=192, tombstone_purge_interval_seconds=0.05)
    with LiveServer(create_app(settings, clock=clock)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            reader = HistoryCaller(http, keys)
            deleted_at = datetime.now(UTC)
            with clock.pinned_at(deleted_at):
                story = await reader.saved()
                assert (await reader.delete(story["id"])).status_code == 204
            assert await tombstones_of(database_url, reader.user_id) == 1

            with clock.pinned_at(deleted_at + timedelta(hours=191)):
                await asyncio.sleep(0.3)  # several purge passes
                assert await tombstones_of(database_url, reader.user_id) == 1
                await refused_as_deleted(reader, story["id"])

            with clock.pinned_at(deleted_at + timedelta(hours=193)):
                deadline = time.monotonic() + 10
                while await tombstones_of(database_url, reader.user_id):
                    assert time.monotonic() < deadline, "the tombstone was not purged"
                    await asyncio.sleep(0.05)
                metrics = (await http.get("/metrics")).text
                purged = re.search(r"^storyscape_history_tombstones_purged_total ([0-9.]+)$", metrics, re.M)
                assert purged is not None and float(purged.group(1)) >= 1
