"""The whole product as a user meets it: every service and the Firebase Auth emulator as real processes on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.devstack import SERVICES, DevStack, StackConfig
from storyscape_devtools.testing import free_port

from storyscape_common.sse import ServerSentEvent, iter_events

REPO_ROOT = Path(__file__).resolve().parents[3]
MODEL_DIR = REPO_ROOT / ".models" / "smollm2-135m-instruct"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    config = StackConfig(
        root=REPO_ROOT,
        state_dir=tmp_path_factory.mktemp("stack"),
        ports={spec.name: free_port() for spec in SERVICES},
        emulator_port=free_port(),
        model_path=MODEL_DIR,
        # A short story keeps the test quick on two CPU cores; the path is the production one.
        # SmolLM2 (the small offline candidate) also writes the English stories here.
        extra_env={"story-service": {"STORY_MAX_STORY_TOKENS": "48", "STORY_LOCAL_ENGLISH_MODEL": "smollm2-135m-instruct"}},
    )
    with DevStack(config):
        yield config


def sign_up(config: StackConfig) -> str:
    """A new user through the emulator's REST API, as the iOS app's Firebase SDK would do it."""
    response = httpx.post(
        f"http://127.0.0.1:{config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key",
        json={"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": "a-long-password", "returnSecureToken": True},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["idToken"])


async def stream_story(client: httpx.AsyncClient, token: str, body: dict[str, object]) -> list[ServerSentEvent]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    async with client.stream("POST", "/v1/stories", json=body, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        return [event async for event in iter_events(response.aiter_lines())]


async def test_a_user_streams_a_story_and_finds_it_in_history_and_nobody_else_can(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=120) as client:
        events = await stream_story(
            client,
            alice,
            {"prompt": "A kitten who learns to share her red ball", "language": "en", "age_group": "3-5", "genres": ["animals"]},
        )
        names = [event.event for event in events]
        assert names[0] == "story.started" and names[-1] == "story.completed", names
        assert names.count("story.delta") >= 2
        text = "".join(event.json()["text"] for event in events if event.event == "story.delta")
        story = events[-1].json()["story"]
        assert story["id"] == events[0].json()["story_id"]
        assert story["text"] == text.strip() and story["title"]
        assert (story["language"], story["age_group"], story["genres"], story["mode"]) == ("en", "3-5", ["animals"], "prompt")

        alice_auth = {"Authorization": f"Bearer {alice}"}
        fetched = await client.get(f"/v1/stories/{story['id']}", headers=alice_auth)
        assert fetched.status_code == 200 and fetched.json()["text"] == story["text"]
        listed = (await client.get("/v1/stories", headers=alice_auth)).json()
        assert [s["id"] for group in listed["groups"] for s in group["stories"]] == [story["id"]]
        assert listed["groups"][0]["key"] == "today"

        bob_auth = {"Authorization": f"Bearer {bob}"}
        hidden = await client.get(f"/v1/stories/{story['id']}", headers=bob_auth)
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
        assert (await client.get("/v1/stories", headers=bob_auth)).json()["groups"] == []
        assert (await client.delete(f"/v1/stories/{story['id']}", headers=bob_auth)).status_code == 404
        assert (await client.get(f"/v1/stories/{story['id']}", headers=alice_auth)).status_code == 200


async def test_hindi_stories_come_from_our_adapter(stack: StackConfig) -> None:
    token = sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=120) as client:
        events = await stream_story(
            client, token, {"prompt": "एक छोटी चिड़िया जो उड़ना सीखती है", "language": "hi", "age_group": "3-5", "genres": ["nature"]}
        )
    assert events[0].event == "story.started" and events[0].json()["model"] == "storyscape-hi"
    story = events[-1].json()["story"]
    assert story["language"] == "hi" and story["text"]


async def test_requests_without_a_valid_firebase_token_are_refused(stack: StackConfig) -> None:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        for headers in ({}, {"Authorization": "Bearer not-a-jwt"}):
            response = await client.get("/v1/stories", headers=headers)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "unauthenticated"
        # Going around the gateway does not help: services want the gateway's internal token.
        direct = await client.get(f"{stack.url('history-service')}/v1/stories", headers={"Authorization": f"Bearer {sign_up(stack)}"})
        assert direct.status_code == 401


async def test_bad_story_requests_get_a_clear_error(stack: StackConfig) -> None:
    token = sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        for body in ({"prompt": "   "}, {"prompt": "x" * 2001}, {"prompt": "ok", "language": "fr"}, {"prompt": "ok", "age_group": "1-2"}):
            response = await client.post("/v1/stories", json=body, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 422, body
            assert response.json()["error"]["code"] == "invalid_request"
