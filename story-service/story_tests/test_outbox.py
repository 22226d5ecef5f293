"""Nothing finished is lost: the story is durable before `story.completed`, and reaches history-service once it
is reachable again; a client leaving after the last token does not lose it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from history_service.main import create_app as create_history_app
from history_service.settings import Settings as HistorySettings
from story_tests.conftest import Neighbours
from story_tests.utils.sse_client import DEFAULT_STORY, collect_story, user_headers


def history_app(keys: TestKeys, directory: Path) -> LiveServer:
    settings = HistorySettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("history-service"),
        database_url=f"sqlite:///{directory / 'history.db'}",
        prompt_url=f"http://127.0.0.1:{free_port()}",
    )
    return LiveServer(create_history_app(settings))


async def stored(history_url: str, keys: TestKeys, user_id: str, story_id: str, *, within: float) -> bool:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=history_url, timeout=5) as client:
        while time.monotonic() < deadline:
            response = await client.get(f"/v1/stories/{story_id}", headers=user_headers(keys, user_id, "history-service"))
            if response.status_code == 200:
                return True
            await asyncio.sleep(0.2)
    return False


async def test_a_story_written_while_history_is_down_arrives_once_it_is_back(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], keys: TestKeys, tmp_path: Path
) -> None:
    history = history_app(keys, tmp_path)
    with story_service_with(history_url=history.url) as server:
        events = await collect_story(server.url, keys, user_id="patient-reader")
        assert events[-1].event == "story.completed"
        story = events[-1].json()["story"]
        assert story["text"] and story["favorite"] is False
        with history:
            assert await stored(history.url, keys, "patient-reader", story["id"], within=15)


async def test_a_client_leaving_after_the_last_token_still_gets_the_story_saved(
    story_service: LiveServer, neighbours: Neighbours, keys: TestKeys
) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        async with client.stream(
            "POST", f"{story_service.url}/v1/stories", json=DEFAULT_STORY, headers=user_headers(keys, "leaver")
        ) as response:
            story_id = None
            async for line in response.aiter_lines():
                if line.startswith("data:") and '"story_id"' in line:
                    story_id = line.split('"story_id":"')[1].split('"')[0]
                if line == "event: story.completed":
                    break  # leave before reading the completed event's data
    assert story_id is not None
    assert await stored(neighbours.history.url, keys, "leaver", story_id, within=15)


@pytest.mark.parametrize("key", ["", "x" * 201, "has space"])
async def test_bad_idempotency_keys_are_refused(story_service: LiveServer, keys: TestKeys, key: str) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{story_service.url}/v1/stories", json=DEFAULT_STORY, headers=user_headers(keys, "idem") | {"Idempotency-Key": key}
        )
    assert response.status_code == 422 and "Idempotency-Key" in response.json()["error"]["message"]


async def test_an_idempotency_key_gives_one_story(story_service: LiveServer, neighbours: Neighbours, keys: TestKeys) -> None:
    headers = user_headers(keys, "retrying-reader") | {"Idempotency-Key": "tap-7f3a"}
    url = f"{story_service.url}/v1/stories"
    async with httpx.AsyncClient(timeout=60) as client:
        async with client.stream("POST", url, json=DEFAULT_STORY, headers=headers) as first:
            assert first.status_code == 200
            lines = first.aiter_lines()
            async for line in lines:
                if line.startswith("event: story.delta"):
                    break
            during = await client.post(url, json=DEFAULT_STORY, headers=headers)
            assert during.status_code == 409 and int(during.headers["retry-after"]) > 0
            rest = [line async for line in lines]
        story_line = next(line for line in rest if line.startswith("data:") and '"story"' in line)
        tokens_before = neighbours.tokens_generated()

        replayed = await collect_replay(client, url, headers)
        assert [name for name, _ in replayed] == ["story.started", "story.delta", "story.completed"]
        assert replayed[2][1]["story"]["id"] in story_line and replayed[1][1]["text"] == replayed[2][1]["story"]["text"]
        assert neighbours.tokens_generated() == tokens_before  # no model was called

        other_body = await client.post(url, json=DEFAULT_STORY | {"prompt": "something else"}, headers=headers)
        assert other_body.status_code == 422


async def collect_replay(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    async with client.stream("POST", url, json=DEFAULT_STORY, headers=headers) as response:
        assert response.status_code == 200
        name = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events
