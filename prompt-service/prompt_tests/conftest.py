"""Fixtures: one live prompt-service per backend (PostgreSQL and SQLite); every API test runs on both."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, postgres_database

from prompt_service.main import create_app
from prompt_service.settings import Settings
from prompt_tests.utils.fake_model import ModelScript, fake_model_app
from prompt_tests.utils.reader import Reader


class MovableClock:
    """The service's "now": real time plus an offset a test may move (to cross a reader's midnight)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("prompt_test") as url:
            yield url
    else:
        path: Path = tmp_path_factory.mktemp("prompt") / "prompt.db"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def model_script() -> Iterator[ModelScript]:
    yield ModelScript()


@pytest.fixture(scope="session")
def model_server(model_script: ModelScript) -> Iterator[LiveServer]:
    with LiveServer(fake_model_app(model_script)) as server:
        yield server


@pytest.fixture(scope="session")
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture(scope="session")
def prompt_settings(keys: TestKeys, database_url: str, model_server: LiveServer) -> Settings:
    """The local-model path (no OpenAI key), pointed at the loopback model server."""
    return Settings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("prompt-service"),
        database_url=database_url,
        hindi_llm_url=model_server.url + "/v1",
        suggestion_deadline_seconds=1.0,
        suggestion_retry_seconds=1,
    )


@pytest.fixture(scope="session")
def prompt_server(prompt_settings: Settings, clock: MovableClock) -> Iterator[LiveServer]:
    with LiveServer(create_app(prompt_settings, clock=clock)) as server:
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
