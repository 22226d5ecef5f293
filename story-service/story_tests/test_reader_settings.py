"""A request's missing fields come from the reader's settings; if prompt-service is down, from the defaults."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from story_tests.utils import stack
from story_tests.utils.sse_client import collect_story


@pytest.fixture(scope="module")
def prompt_server(keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with stack.prompt_server(keys, tmp_path_factory.mktemp("prompt")) as server:
        server.wait_ready()
        yield server


async def test_missing_fields_follow_the_readers_settings(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], prompt_server: LiveServer, keys: TestKeys
) -> None:
    reader = keys.bearer(user_id="settings-reader", audience="prompt-service")
    async with httpx.AsyncClient(base_url=prompt_server.url) as client:
        genre = (await client.post("/v1/genres", json={"name": "रेलगाड़ी"}, headers=reader)).json()
        saved = await client.put("/v1/me/settings", json={"language": "hi", "age_group": "9-12", "genres": [genre["id"]]}, headers=reader)
        assert saved.status_code == 200

    with story_service_with(prompt_url=prompt_server.url) as story_service:
        events = await collect_story(story_service.url, keys, user_id="settings-reader", body={"prompt": "एक जादुई रेलगाड़ी"})
        story = events[-1].json()["story"]
        assert events[0].json()["language"] == "hi"
        assert (story["language"], story["age_group"], story["genres"]) == ("hi", "9-12", ["रेलगाड़ी"])

        # What the request says wins over the settings.
        events = await collect_story(
            story_service.url, keys, user_id="settings-reader", body={"prompt": "a train", "language": "en", "genres": []}
        )
        story = events[-1].json()["story"]
        assert (story["language"], story["age_group"], story["genres"]) == ("en", "9-12", [])


async def test_without_prompt_service_the_defaults_apply_and_the_story_streams(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], keys: TestKeys
) -> None:
    with story_service_with(prompt_url=f"http://127.0.0.1:{free_port()}") as story_service:
        events = await collect_story(story_service.url, keys, user_id="offline-reader", body={"prompt": "a brave snail"})
    story = events[-1].json()["story"]
    assert events[-1].event == "story.completed"
    assert (story["language"], story["age_group"], story["genres"]) == ("en", "6-8", [])
