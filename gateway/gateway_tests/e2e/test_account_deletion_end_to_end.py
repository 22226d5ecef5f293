"""`DELETE /v1/me` on the whole stack: a reader with every kind of data (a story with pictures and narration, a photo
story, a favorite, a search, a custom genre, a saved prompt, settings, suggestions, an Idempotency-Key) deletes the
account; afterwards no table of any service and no object of the store holds anything of theirs, the Firebase user
is gone from the emulator, and the old token is refused. Another reader's data is untouched."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from storyscape_devtools.devstack import StackConfig
from storyscape_devtools.testing import rows_holding

from gateway_tests.e2e.client import bearer, completed_story, post_photo_story
from storyscape_common.sse import iter_events

pytestmark = pytest.mark.e2e

MEDIA_DATA = Path(__file__).resolve().parents[3] / "media-service" / "media_tests" / "data"
DATABASES = ("story", "history", "prompt", "media")
PASSWORD = "a-long-password"


@dataclass(frozen=True)
class Reader:
    uid: str
    email: str
    token: str


def sign_up(config: StackConfig) -> Reader:
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    response = httpx.post(
        f"http://127.0.0.1:{config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key",
        json={"email": email, "password": PASSWORD, "returnSecureToken": True},
        timeout=10,
    )
    response.raise_for_status()
    body = response.json()
    return Reader(uid=body["localId"], email=email, token=body["idToken"])


def sign_in_error(config: StackConfig, reader: Reader) -> str | None:
    """What the emulator says to the reader's password sign-in: None when it works."""
    response = httpx.post(
        f"http://127.0.0.1:{config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=demo-key",
        json={"email": reader.email, "password": PASSWORD, "returnSecureToken": True},
        timeout=10,
    )
    return None if response.is_success else str(response.json()["error"]["message"])


async def narrated(client: httpx.AsyncClient, reader: Reader, story_id: str) -> None:
    status: dict[str, Any] = (await client.post(f"/v1/stories/{story_id}/audio", headers=bearer(reader.token))).json()
    deadline = time.monotonic() + 90
    while status["status"] == "pending" and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        status = (await client.get(f"/v1/stories/{story_id}/audio", headers=bearer(reader.token))).json()
    assert status["status"] == "ready", status


async def with_every_kind_of_data(client: httpx.AsyncClient, reader: Reader, config: StackConfig) -> list[str]:
    """Everything a reader can keep; the ids of their stories."""
    headers = bearer(reader.token)
    genre = await client.post("/v1/genres", json={"name": "पतंगबाज़ी", "label": "Kite flying"}, headers=headers)
    assert genre.status_code == 201, genre.text
    settings = {"age_group": "6-8", "genres": [genre.json()["id"]], "ai_images": True}
    assert (await client.put("/v1/me/settings", json=settings, headers=headers)).status_code == 200
    assert (await client.post("/v1/prompts/saved", json={"text": "A shy dragon", "language": "en"}, headers=headers)).status_code == 201

    story = await keyed_story(client, reader, {"prompt": "A lighthouse keeper and a seagull", "language": "en"})
    await narrated(client, reader, story["id"])
    assert (await client.put(f"/v1/stories/{story['id']}/favorite", headers=headers)).status_code == 200
    assert (await client.get("/v1/stories/search", params={"q": "lighthouse"}, headers=headers)).status_code == 200

    photo = (MEDIA_DATA / "chelsea_cat_cc0.jpg").read_bytes()
    status, events, error = await post_photo_story(
        client, reader.token, {"prompt": "The cat goes on an adventure", "language": "en"}, photo
    )
    assert status == 200, error
    await suggested(client, reader, config)
    return [story["id"], completed_story(events)["id"]]


async def suggested(client: httpx.AsyncClient, reader: Reader, config: StackConfig) -> bool:
    """Today's suggestions, stored if the model manages: a set it did not finish within prompt-service's deadline
    (3 s; on two busy cores it often does not) is served from the bank and not stored, so ask again under other
    settings (a new set), at most 3 times. Whether one was stored (prompt_tests cover their deletion either way)."""
    for age_group in ("9-12", "3-5", "13-17"):
        assert (await client.put("/v1/me/settings", json={"age_group": age_group}, headers=bearer(reader.token))).status_code == 200
        assert (await client.get("/v1/prompts/suggestions", headers=bearer(reader.token))).status_code == 200
        if "suggestion_sets" in await rows_holding(database(config, "prompt"), [reader.uid]):
            return True
    return False


async def keyed_story(client: httpx.AsyncClient, reader: Reader, body: dict[str, Any]) -> dict[str, Any]:
    """A story sent with an Idempotency-Key (kept by story-service), read to the end of its stream (its pictures)."""
    headers = bearer(reader.token) | {"Accept": "text/event-stream", "Idempotency-Key": f"first-{reader.uid}"}
    async with client.stream("POST", "/v1/stories", json=body, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        events = [event async for event in iter_events(response.aiter_lines())]
    assert "story.image" in [event.event for event in events], events
    return completed_story(events)


def objects_of(config: StackConfig, uid: str) -> list[Path]:
    prefix = config.state_dir / "data" / "media" / "users" / hashlib.sha256(uid.encode()).hexdigest()[:32]
    return sorted(path for path in prefix.rglob("*") if path.is_file()) if prefix.exists() else []


def database(config: StackConfig, name: str) -> str:
    return f"sqlite:///{config.state_dir / 'data' / (name + '.db')}"


async def held(config: StackConfig, needles: list[str]) -> dict[str, dict[str, int]]:
    found = {name: await rows_holding(database(config, name), needles) for name in DATABASES}
    return {name: rows for name, rows in found.items() if rows}


async def test_a_deleted_account_leaves_nothing_anywhere_and_its_token_stops_working(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=180) as client:
        alice_stories = await with_every_kind_of_data(client, alice, stack)
        bob_stories = await with_every_kind_of_data(client, bob, stack)
        alice_data = [alice.uid, *alice_stories]
        before = await held(stack, alice_data)
        assert set(before) == set(DATABASES), before
        assert {"story_outbox", "idempotency_keys"} <= set(before["story"])
        assert {"stories", "story_terms", "libraries"} <= set(before["history"])
        assert {"user_settings", "custom_genres", "saved_prompts"} <= set(before["prompt"])
        assert len(objects_of(stack, alice.uid)) >= 4  # two pictures, the narration, the photo
        bob_before, bob_objects = await held(stack, [bob.uid, *bob_stories]), objects_of(stack, bob.uid)

        accepted = await client.delete("/v1/me", headers=bearer(alice.token))
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["status"] == "pending" and accepted.json()["status_url"].startswith("/v1/me/deletion/")
        # Refused at once by the gateway that took the request.
        assert (await client.get("/v1/me/settings", headers=bearer(alice.token))).status_code == 401

        status_url = accepted.json()["status_url"]
        deadline = time.monotonic() + 120
        status = "pending"
        while status == "pending" and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            answer = await client.get(status_url)  # no token: the account has none any more
            assert answer.status_code == 200, answer.text
            status = answer.json()["status"]
        assert status == "done"

        assert await held(stack, alice_data) == {}
        assert objects_of(stack, alice.uid) == []
        assert sign_in_error(stack, alice) == "EMAIL_NOT_FOUND"
        for path in ("/v1/me/settings", "/v1/stories", "/v1/home"):
            assert (await client.get(path, headers=bearer(alice.token))).status_code == 401
        assert (await client.delete("/v1/me", headers=bearer(alice.token))).status_code == 401

        assert await held(stack, [bob.uid, *bob_stories]) == bob_before
        assert objects_of(stack, bob.uid) == bob_objects
        assert sign_in_error(stack, bob) is None
        assert (await client.get("/v1/me/settings", headers=bearer(bob.token))).status_code == 200
