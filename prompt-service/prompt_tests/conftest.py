"""Fixtures: a live prompt-service on a loopback port and callers with internal tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys

from prompt_service.main import create_app
from prompt_service.settings import Settings


@pytest.fixture(scope="session")
def prompt_server(keys: TestKeys) -> Iterator[LiveServer]:
    settings = Settings(environment="test", internal_public_keys=keys.public_keys)
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
