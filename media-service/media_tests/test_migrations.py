"""The schema comes from Alembic: applied at start-up, and reversible from the CLI for operators."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from storyscape_devtools.testing import postgres_database

from media_service.main import MIGRATIONS
from storyscape_common.db import create_engine, run_migrations

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("media_migrations") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


def tables(connection: Connection) -> dict[str, list[str]]:
    inspector = inspect(connection)
    names = [n for n in inspector.get_table_names() if n != "alembic_version"]
    return {name: sorted(c["name"] for c in inspector.get_columns(name)) for name in sorted(names)}


async def read_tables(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(tables)
    finally:
        await engine.dispose()


async def test_start_up_creates_the_tables_and_the_cli_reverses_them(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        await run_migrations(engine, script_location=MIGRATIONS)
        await run_migrations(engine, script_location=MIGRATIONS)  # idempotent on a second start
    finally:
        await engine.dispose()
    found = await read_tables(empty_database)
    assert set(found) == {"media_jobs", "media_stories", "media_uploads"}
    assert found["media_uploads"] == ["attached_at", "created_at", "object_key", "story_id", "sweeping_since", "user_id"]
    assert {"inputs_hash", "state", "attempts", "next_attempt_at", "lease_expires_at", "object_key", "error"} <= set(found["media_jobs"])

    env = {**os.environ, "MEDIA_DATABASE_URL": empty_database}
    alembic = [sys.executable, "-m", "alembic", "-c", str(SERVICE_DIR / "alembic.ini")]
    await asyncio.to_thread(subprocess.run, [*alembic, "downgrade", "base"], check=True, env=env, capture_output=True, timeout=120)
    assert await read_tables(empty_database) == {}
    await asyncio.to_thread(subprocess.run, [*alembic, "upgrade", "head"], check=True, env=env, capture_output=True, timeout=120)
    assert set(await read_tables(empty_database)) == {"media_jobs", "media_stories", "media_uploads"}
