"""Fixtures: one live prompt-service per backend (PostgreSQL and SQLite); every API test runs on both."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, postgres_database

from prompt_service.main import create_app
from prompt_service.settings import Settings
from prompt_tests.utils.reader import Reader


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("prompt_test") as url:
            yield url
    else:
        path: Path = tmp_path_factory.mktemp("prompt") / "prompt.db"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def prompt_server(keys: TestKeys, database_url: str) -> Iterator[LiveServer]:
    settings = Settings(environment="test", internal_public_keys=keys.public_keys, database_url=database_url)
    with LiveServer(create_app(settings)) as server:
        yield server


@pytest.fixture
async def client(prompt_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=prompt_server.url, timeout=10) as http:
        yield http


@pytest.fixture
def user_headers(keys: TestKeys) -> dict[str, str]:
    """What the gateway sends on a user's behalf."""
    return keys.bearer(user_id="user-catalog", audience="prompt-service")


@pytest.fixture
def alice(client: httpx.AsyncClient, keys: TestKeys) -> Reader:
    return Reader(client, keys, f"alice-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def bob(client: httpx.AsyncClient, keys: TestKeys) -> Reader:
    return Reader(client, keys, f"bob-{uuid.uuid4().hex[:8]}")
