"""A live media-service with a database per backend (SQLite embedded, PostgreSQL), offline providers, local store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port, postgres_database

from media_service.main import create_app
from media_tests.utils.jobs import client, job_settings
from storyscape_common.clients.media import MediaClient


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("media_test") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('media-db') / 'media.db'}"


@pytest.fixture(scope="session")
def media_server(database_url: str, keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = free_port()
    settings = job_settings(
        keys=keys, local_dir=tmp_path_factory.mktemp("objects"), database_url=database_url, public_base_url=f"http://127.0.0.1:{port}"
    )
    with LiveServer(create_app(settings), port=port) as server:
        yield server


@pytest.fixture
async def media(media_server: LiveServer, keys: TestKeys) -> AsyncIterator[MediaClient]:
    """story-service's view of media-service."""
    caller = client(media_server.url, keys)
    yield caller
    await caller.aclose()


@pytest.fixture
async def gateway(media_server: LiveServer, keys: TestKeys) -> AsyncIterator[MediaClient]:
    """A user's request as the gateway forwards it (public routes only)."""
    caller = client(media_server.url, keys, issuer="gateway")
    yield caller
    await caller.aclose()


@pytest.fixture
def media_server_url(media_server: LiveServer) -> str:
    return media_server.url
