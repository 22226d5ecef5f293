"""Alembic environment: the service passes its own connection; the CLI builds one from MEDIA_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from media_service.models import Base
from media_service.settings import Settings
from storyscape_common.db import async_database_url, create_engine

target_metadata = Base.metadata


def cli_database_url() -> str:
    """What the CLI migrates: MEDIA_DATABASE_URL alone (a migration needs no keys or other settings)."""
    default = str(Settings.model_fields["database_url"].default)
    return os.environ.get("MEDIA_DATABASE_URL", default)


def run_on_connection(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    engine = create_engine(cli_database_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on_connection)
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(url=async_database_url(cli_database_url()), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (given := context.config.attributes.get("connection")) is not None:
    run_on_connection(given)
else:
    asyncio.run(run_from_settings())
