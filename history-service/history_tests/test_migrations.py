"""The schema comes from Alembic: at start-up over the service's engine, and from the CLI for operators."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from storyscape_devtools.testing import POSTGRES_ADMIN_DSN, LiveServer, new_test_keys, postgres_database

from history_service.main import MIGRATIONS, create_app
from history_tests.utils.api import history_settings
from storyscape_common.db import create_engine, run_migrations

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("history_migrations") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


def schema(connection: Connection) -> dict[str, object]:
    inspector = inspect(connection)
    if "stories" not in inspector.get_table_names():
        return {}
    return {
        "columns": sorted(c["name"] for c in inspector.get_columns("stories")),
        "primary_key": inspector.get_pk_constraint("stories")["constrained_columns"],
        "indexes": {i["name"]: i["column_names"] for i in inspector.get_indexes("stories")},
    }


async def read_schema(url: str) -> dict[str, object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(schema)
    finally:
        await engine.dispose()


EXPECTED = {
    "columns": sorted(
        ["id", "user_id", "title", "text", "language", "age_group", "genres", "mode", "prompt", "model", "favorite", "created_at"]
        + ["image_description", "source_image_key"]
    ),
    "primary_key": ["id"],
}


async def test_migrations_build_the_schema_on_an_empty_database_and_rerun_cleanly(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        await run_migrations(engine, script_location=MIGRATIONS)
        await run_migrations(engine, script_location=MIGRATIONS)  # a restart finds nothing to do
    finally:
        await engine.dispose()
    found = await read_schema(empty_database)
    assert {k: found[k] for k in EXPECTED} == EXPECTED
    indexes = found["indexes"]
    assert isinstance(indexes, dict)
    assert indexes["ix_stories_user_created_id"][0] == "user_id"
    assert indexes["ix_stories_user_created_id"][2] == "id"


def alembic_cli(*args: str, database_url: str) -> None:
    env = {**os.environ, "HISTORY_DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "alembic", *args], cwd=SERVICE_DIR, env=env, check=True, capture_output=True, timeout=60)


async def test_the_alembic_cli_upgrades_and_downgrades(empty_database: str) -> None:
    alembic_cli("upgrade", "head", database_url=empty_database)
    assert (await read_schema(empty_database))["primary_key"] == ["id"]
    alembic_cli("downgrade", "base", database_url=empty_database)
    assert await read_schema(empty_database) == {}


def history_app(database_url: str) -> FastAPI:
    settings = history_settings(new_test_keys(), database_url=database_url)
    return create_app(settings)


def test_start_up_migrates_and_readiness_reports_the_database(empty_database: str) -> None:
    with LiveServer(history_app(empty_database)) as server:
        response = httpx.get(f"{server.url}/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readiness_fails_when_the_database_goes_away() -> None:
    with postgres_database("history_gone") as url, LiveServer(history_app(url)) as server:
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        name = url.rsplit("/", 1)[1]
        asyncio.run(admin_execute(f'DROP DATABASE "{name}" WITH (FORCE)'))
        response = httpx.get(f"{server.url}/readyz", timeout=10)
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "upstream_unavailable"
    assert body["checks"]["database"].startswith("error")


async def admin_execute(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
