"""Async SQLAlchemy plumbing: engine per service, one session per request, Alembic at start-up."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from alembic import command
from alembic.config import Config
from fastapi import Depends, FastAPI, Request
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def async_database_url(url: str) -> str:
    """Accept plain `postgresql://` and `sqlite:///` URLs and pick the async drivers."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout so concurrent requests wait, not fail."""
    url = async_database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit when the handler succeeds, roll back when it raises."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# "function" scope commits before the response is sent, so a 201 means the row is stored.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def run_migrations(engine: AsyncEngine, *, script_location: Path) -> None:
    """Bring the schema to Alembic head over the service's own engine."""

    def upgrade(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(script_location))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)


@asynccontextmanager
async def open_database(app: FastAPI, url: str, *, migrations: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A service's lifespan part for its database: engine, schema at head, `app.state.engine` and
    `app.state.session_factory` (what `SessionDep` and readiness use); the engine is disposed on the way out,
    also when the migration fails."""
    engine = create_engine(url)
    try:
        await run_migrations(engine, script_location=migrations)
        app.state.engine = engine
        app.state.session_factory = sessions = session_factory(engine)
        yield sessions
    finally:
        await engine.dispose()


async def check_database(engine: AsyncEngine) -> None:
    """Readiness: the database answers a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def run_alembic_env(target_metadata: MetaData, *, url_variable: str, default_url: str) -> None:
    """The body of every service's `migrations/env.py`: migrate over the connection the service passes in
    (start-up), else over one built from `url_variable` alone (the Alembic CLI needs no keys or other settings)."""
    from alembic import context

    url = os.environ.get(url_variable, default_url)

    def run_on_connection(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_from_url() -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(run_on_connection)
        finally:
            await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=async_database_url(url), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    elif (given := context.config.attributes.get("connection")) is not None:
        run_on_connection(given)
    else:
        asyncio.run(run_from_url())
