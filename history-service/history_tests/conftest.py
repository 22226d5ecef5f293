"""Fixtures: one live history-service per backend (PostgreSQL and SQLite); every API test runs on both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, postgres_database

from history_service.main import create_app
from history_tests.utils.api import HistoryCaller, history_settings
from history_tests.utils.clock import AdjustableClock


@pytest.fixture(scope="session")
def clock() -> AdjustableClock:
    return AdjustableClock()


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database on each backend; the service migrates it when it starts."""
    if request.param == "postgresql":
        with postgres_database("history_test") as url:
            yield url
    else:
        path: Path = tmp_path_factory.mktemp("history") / "history.db"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def history_server(database_url: str, keys: TestKeys, clock: AdjustableClock) -> Iterator[LiveServer]:
    settings = history_settings(keys, database_url=database_url)
    with LiveServer(create_app(settings, clock=clock)) as server:
        yield server


@pytest.fixture
async def client(history_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=history_server.url, timeout=10) as http:
        yield http


@pytest.fixture
def alice(client: httpx.AsyncClient, keys: TestKeys) -> HistoryCaller:
    return HistoryCaller(client, keys)


@pytest.fixture
def bob(client: httpx.AsyncClient, keys: TestKeys) -> HistoryCaller:
    return HistoryCaller(client, keys)
