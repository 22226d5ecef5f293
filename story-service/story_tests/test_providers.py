"""English goes to OpenAI when a key is set (same protocol, another base URL); failures before the first
token fall back, failures that leave nothing to stream are reported in-band."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from story_tests.conftest import Neighbours
from story_tests.utils.broken_openai import broken_provider_app
from story_tests.utils.sse_client import DEFAULT_STORY, collect_story, user_headers

OPENAI_MODEL = "tiny-llama"  # the loopback "OpenAI" is hindi-llm-service, which speaks the same protocol


def openai_key_for(keys: TestKeys) -> str:
    # The loopback server authenticates with our internal token; to the openai client it is just an API key.
    return keys.signer("story-service").sign(user_id="openai-account", audience="hindi-llm-service", request_id="k")


async def test_english_uses_the_openai_client_when_a_key_is_set(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], neighbours: Neighbours, keys: TestKeys
) -> None:
    with story_service_with(
        openai_api_key=openai_key_for(keys),
        openai_base_url=f"{neighbours.llm.url}/v1",
        english_model=OPENAI_MODEL,
        local_english_model="not-used",
    ) as server:
        events = await collect_story(server.url, keys, user_id="en-user")
    assert events[0].json()["model"] == OPENAI_MODEL
    assert events[-1].event == "story.completed"


async def test_an_unreachable_openai_falls_back_to_the_local_model_before_the_first_token(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], keys: TestKeys
) -> None:
    with story_service_with(
        openai_api_key="sk-test-unreachable", english_model="gpt-4o", openai_base_url=f"http://127.0.0.1:{free_port()}/v1"
    ) as server:
        events = await collect_story(server.url, keys, user_id="fallback-user")
    assert events[0].event == "story.started" and events[0].json()["model"] == "tiny-llama"
    assert events[-1].event == "story.completed"


async def test_no_model_available_is_a_real_503_with_retry_after(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], keys: TestKeys
) -> None:
    with story_service_with(llm_url=f"http://127.0.0.1:{free_port()}") as server:
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(f"{server.url}/v1/stories", json=DEFAULT_STORY, headers=user_headers(keys, "no-model"))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json") and int(response.headers["retry-after"]) > 0
    assert response.json()["error"]["code"] == "upstream_unavailable"


async def test_a_provider_dying_mid_story_is_an_error_event_and_nothing_is_saved(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], neighbours: Neighbours, keys: TestKeys
) -> None:
    with (
        LiveServer(broken_provider_app()) as provider,
        story_service_with(openai_api_key="sk-test-flaky", openai_base_url=f"{provider.url}/v1", english_model="flaky") as server,
    ):
        events = await collect_story(server.url, keys, user_id="mid-story")
    names = [event.event for event in events]
    # "Once upon a time" never ended a sentence, so moderation had not released any of it yet.
    assert names == ["story.started", "error"], names
    assert events[-1].json()["code"] == "upstream_unavailable"
    async with httpx.AsyncClient() as client:
        listed = await client.get(
            f"{neighbours.history.url}/v1/stories", headers=keys.bearer(user_id="mid-story", audience="history-service")
        )
    assert listed.json()["groups"] == []
