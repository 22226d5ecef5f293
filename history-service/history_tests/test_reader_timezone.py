"""Days are the reader's: the X-User-Timezone header, else the time zone in their settings, else Asia/Kolkata."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys

from history_service.main import create_app
from history_tests.utils.api import HistoryCaller, history_settings
from history_tests.utils.clock import AdjustableClock
from prompt_service.main import create_app as create_prompt_app
from prompt_service.settings import Settings as PromptSettings

# 20:00 UTC on 1 March is 1:30 on 2 March in Kolkata, but still 1 March in New York.
WRITTEN = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
READ = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def prompt_server(keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("prompt") / "prompt.db"
    settings = PromptSettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("prompt-service"),
        database_url=f"sqlite:///{path}",
    )
    with LiveServer(create_prompt_app(settings)) as server:
        server.wait_ready()
        yield server


@pytest.fixture(scope="module")
def pinned() -> AdjustableClock:
    return AdjustableClock()


@pytest.fixture(scope="module")
def history(keys: TestKeys, prompt_server: LiveServer, pinned: AdjustableClock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("history") / "history.db"
    settings = history_settings(keys, database_url=f"sqlite:///{database}", prompt_url=prompt_server.url)
    with LiveServer(create_app(settings, clock=pinned)) as server:
        yield server.url


@pytest.fixture
async def reader(history: str, keys: TestKeys) -> AsyncIterator[HistoryCaller]:
    async with httpx.AsyncClient(base_url=history, timeout=10) as client:
        yield HistoryCaller(client, keys)


async def group_keys(reader: HistoryCaller, timezone: str | None = None) -> list[str]:
    return [group["key"] for group in (await reader.list(timezone=timezone)).json()["groups"]]


async def test_a_reader_without_a_zone_gets_asia_kolkata(reader: HistoryCaller, pinned: AdjustableClock) -> None:
    await reader.saved(created_at=WRITTEN)
    with pinned.pinned_at(READ):
        assert await group_keys(reader) == ["today"]


async def test_the_settings_zone_applies_unless_the_header_names_one(
    reader: HistoryCaller, prompt_server: LiveServer, keys: TestKeys, pinned: AdjustableClock
) -> None:
    async with httpx.AsyncClient(base_url=prompt_server.url) as client:
        headers = keys.bearer(user_id=reader.user_id, audience="prompt-service")
        assert (await client.put("/v1/me/settings", json={"timezone": "America/New_York"}, headers=headers)).status_code == 200
    await reader.saved(created_at=WRITTEN)
    with pinned.pinned_at(READ):
        assert await group_keys(reader) == ["yesterday"]
        assert await group_keys(reader, timezone="Asia/Kolkata") == ["today"]
