"""The whole product as a user meets it: every service and the Firebase Auth emulator as real processes on loopback."""

from __future__ import annotations

import httpx
from storyscape_devtools.devstack import StackConfig

from gateway_tests.e2e.client import completed_story, sign_up, stream_story


async def test_a_user_streams_a_story_and_finds_it_in_history_and_nobody_else_can(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=120) as client:
        events = await stream_story(
            client,
            alice,
            {"prompt": "A kitten who learns to share her red ball", "language": "en", "age_group": "3-5", "genres": ["animals"]},
        )
        names = [event.event for event in events]
        assert names[0] == "story.started" and names[names.index("story.completed") + 1 :] == ["story.image"] * 2, names
        assert names.count("story.delta") >= 2
        text = "".join(event.json()["text"] for event in events if event.event == "story.delta")
        story = completed_story(events)
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
    story = completed_story(events)
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
