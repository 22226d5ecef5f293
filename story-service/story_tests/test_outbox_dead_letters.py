"""The outbox settles every row on its own: a story history-service refuses (4xx) is dead-lettered (kept, counted,
logged with its id) while the rest of its batch is delivered; a story its reader deleted before the outbox got it
to history-service is dropped, not brought back; a story history-service cannot take now is retried until the
delivery limit, then dead-lettered. Real story-service databases (PostgreSQL and SQLite), a real history-service on
loopback, and the outbox's clock moved instead of waited for."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from storyscape_devtools.testing import LiveServer, TestKeys, free_port, postgres_database

from story_service.main import MIGRATIONS
from story_service.models import OutboxRow
from story_service.outbox import Outbox
from story_tests.utils.sse_client import user_headers
from story_tests.utils.stack import history_server
from storyscape_common.clients.history import HistoryClient
from storyscape_common.contracts.stories import StoryCreate
from storyscape_common.db import create_engine, run_migrations, session_factory
from storyscape_common.internal_auth import ISSUER_PREFIX, Identity

MAX_DELIVERY_AGE = timedelta(hours=168)


class MovableClock:
    """Real UTC time, moved by `offset`."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(params=["postgresql", "sqlite"])
def story_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("story_outbox") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'story.db'}"


@pytest.fixture
async def sessions(story_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(story_database)
    try:
        await run_migrations(engine, script_location=MIGRATIONS)
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def history(keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with history_server(keys, tmp_path_factory.mktemp("history")) as server:
        yield server


@dataclass
class Harness:
    outbox: Outbox
    clock: MovableClock
    registry: CollectorRegistry
    sessions: async_sessionmaker[AsyncSession]
    history_url: str
    keys: TestKeys

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float:
        return self.registry.get_sample_value(name, labels or {}) or 0.0

    async def row(self, story_id: str) -> OutboxRow | None:
        async with self.sessions() as session:
            return await session.get(OutboxRow, story_id)

    async def state(self, story_id: str) -> str | None:
        row = await self.row(story_id)
        return None if row is None else row.state

    async def stored_in_history(self, user_id: str, story_id: str) -> bool:
        async with httpx.AsyncClient(base_url=self.history_url, timeout=10) as http:
            response = await http.get(f"/v1/stories/{story_id}", headers=user_headers(self.keys, user_id, "history-service"))
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200

    async def delete_in_history(self, user_id: str, story_id: str) -> int:
        async with httpx.AsyncClient(base_url=self.history_url, timeout=10) as http:
            response = await http.delete(f"/v1/stories/{story_id}", headers=user_headers(self.keys, user_id, "history-service"))
        return response.status_code

    async def pass_when_due(self) -> int:
        """Move past the wait a freshly recorded row gets (the request's own try), then run one worker pass."""
        self.clock.offset += timedelta(seconds=60)
        return await self.outbox.deliver_due()


def outbox_for(sessions: async_sessionmaker[AsyncSession], history_url: str, keys: TestKeys) -> Harness:
    clock, registry = MovableClock(), CollectorRegistry()
    client = HistoryClient(base_url=history_url, signer=keys.signer("story-service"))
    outbox = Outbox(
        sessions,
        client,
        clock=clock,
        retention=timedelta(hours=25),
        poll_seconds=0.1,
        deliver_timeout=2.0,
        max_delivery_age=MAX_DELIVERY_AGE,
        registry=registry,
    )
    return Harness(outbox, clock, registry, sessions, history_url, keys)


@pytest.fixture
async def harness(sessions: async_sessionmaker[AsyncSession], history: LiveServer, keys: TestKeys) -> AsyncIterator[Harness]:
    made = outbox_for(sessions, history.url, keys)
    try:
        yield made
    finally:
        await made.outbox.history.aclose()


def reader(user_id: str) -> Identity:
    return Identity(user_id=user_id, request_id=f"req-{uuid.uuid4().hex[:8]}", issuer=ISSUER_PREFIX + "story-service", token="")


def story(**overrides: Any) -> StoryCreate:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": "The Lantern Fox",
        "text": "A fox carried a lantern through the forest so the owls could find their way home.",
        "language": "en",
        "age_group": "6-8",
        "genres": ["animals"],
        "prompt": "a fox with a lantern",
        "model": "gpt-4o",
        "created_at": datetime.now(UTC),
    }
    return StoryCreate.model_validate(fields | overrides)


def new_user() -> str:
    return f"reader-{uuid.uuid4().hex[:10]}"


async def test_a_rejected_story_is_dead_lettered_and_the_rest_of_its_batch_delivered(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="story_service.outbox")
    alice, bob = new_user(), new_user()
    # history-service refuses these as they are, whenever asked: a created_at far in the future (422), and an id
    # that is already another reader's story (409).
    future = story(created_at=datetime.now(UTC) + timedelta(days=2))
    taken = story()
    await harness.outbox.history.save_story(taken, identity=reader(bob))
    good = [story(title="The First Good Story"), story(title="The Second Good Story")]
    for each in (future, taken, *good):
        await harness.outbox.record(each, identity=reader(alice))
    # And a row whose stored story no longer parses (written by an older version, say).
    async with harness.sessions() as session, session.begin():
        row = await session.get(OutboxRow, str(good[0].id))
        assert row is not None
        broken = OutboxRow(**{column: getattr(row, column) for column in ("user_id", "request_id", "state", "attempts")})
        broken.story_id, broken.story = str(uuid.uuid4()), {"title": "half a story"}
        broken.next_attempt_at, broken.created_at = row.next_attempt_at, row.created_at
        session.add(broken)

    assert await harness.pass_when_due() == 5

    for each in good:
        assert await harness.stored_in_history(alice, str(each.id))
        assert await harness.state(str(each.id)) == "delivered"
    for refused, status in ((future, "422"), (taken, "409")):
        dead = await harness.row(str(refused.id))
        assert dead is not None and dead.state == "dead" and dead.story == refused.model_dump(mode="json")  # kept whole
        assert dead.last_error is not None and dead.last_error.startswith(status)
        assert not await harness.stored_in_history(alice, str(refused.id))
    assert await harness.state(broken.story_id) == "dead"
    assert harness.metric("storyscape_story_outbox_dead_letters_total", {"reason": "rejected"}) == 2
    assert harness.metric("storyscape_story_outbox_dead_letters_total", {"reason": "invalid"}) == 1

    dead_lines = [record for record in caplog.records if record.getMessage() == "outbox dead-lettered a story"]
    logged = {getattr(record, "fields", {}).get("story_id") for record in dead_lines}
    assert logged == {str(future.id), str(taken.id), broken.story_id}
    assert not any(future.text in record.getMessage() or future.text in str(record.__dict__) for record in caplog.records)

    # Dead rows are never sent again; nothing is left pending.
    harness.clock.offset += timedelta(hours=1)
    assert await harness.outbox.deliver_due() == 0
    assert await harness.outbox.count("pending") == 0 and await harness.outbox.count("dead") == 3


async def test_a_story_deleted_before_the_outbox_delivered_it_does_not_come_back(harness: Harness) -> None:
    """Two ways a reader deletes a story whose row is still pending: history-service had it (the try that saved it
    lost its answer), or it had not got it yet (the reader deleted it by the id `story.completed` gave them)."""
    alice = new_user()
    landed, not_yet = story(title="The Story That Landed"), story(title="The Story Not Yet There")
    for each in (landed, not_yet):
        await harness.outbox.record(each, identity=reader(alice))
    await harness.outbox.history.save_story(landed, identity=reader(alice))  # the try whose answer was lost

    assert await harness.delete_in_history(alice, str(landed.id)) == 204
    assert await harness.delete_in_history(alice, str(not_yet.id)) == 404

    assert await harness.pass_when_due() == 2
    for each in (landed, not_yet):
        assert not await harness.stored_in_history(alice, str(each.id))
        assert await harness.row(str(each.id)) is None  # the reader's story is gone from the outbox too
    assert harness.metric("storyscape_story_outbox_discarded_total") == 2
    assert harness.metric("storyscape_story_outbox_dead_letters_total", {"reason": "rejected"}) == 0


async def test_a_refusal_on_the_first_try_is_dead_lettered_at_once(harness: Harness) -> None:
    """The request's own try (`complete`) settles a refusal the same way, and the reader still gets the story."""
    alice = new_user()
    future = story(created_at=datetime.now(UTC) + timedelta(days=2))
    answered = await harness.outbox.complete(future, identity=reader(alice))
    assert answered.id == str(future.id) and answered.text == future.text
    assert await harness.state(str(future.id)) == "dead"
    assert harness.metric("storyscape_story_outbox_dead_letters_total", {"reason": "rejected"}) == 1


async def test_history_down_is_retried_with_backoff_until_the_delivery_limit(
    sessions: async_sessionmaker[AsyncSession], keys: TestKeys
) -> None:
    harness = outbox_for(sessions, f"http://127.0.0.1:{free_port()}", keys)  # nothing listens there
    try:
        alice, waiting = new_user(), story()
        await harness.outbox.record(waiting, identity=reader(alice))
        for attempts in (1, 2, 3):
            assert await harness.pass_when_due() == 1
            row = await harness.row(str(waiting.id))
            assert row is not None and (row.state, row.attempts) == ("pending", attempts)
            assert row.last_error is not None and "unavailable" in row.last_error

        harness.clock.offset = MAX_DELIVERY_AGE + timedelta(minutes=1)
        assert await harness.outbox.deliver_due() == 1
        row = await harness.row(str(waiting.id))
        assert row is not None and row.state == "dead" and row.attempts == 3
        assert harness.metric("storyscape_story_outbox_dead_letters_total", {"reason": "expired"}) == 1
        assert harness.metric("storyscape_story_outbox_dead_letters_total", {"reason": "rejected"}) == 0
    finally:
        await harness.outbox.history.aclose()
