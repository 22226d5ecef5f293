"""POST /internal/stories: story-service saves finished stories (run on PostgreSQL and SQLite)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys

from history_tests.utils.api import HistoryCaller, story_fields
from storyscape_common.clients.history import HistoryClient
from storyscape_common.contracts.stories import StoryCreate
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity


async def test_saving_a_story_returns_it_as_clients_will_see_it(alice: HistoryCaller) -> None:
    fields = story_fields(
        language="hi",
        title="  चतुर खरगोश ",
        text="एक जंगल में एक चतुर खरगोश रहता था।",
        genres=["animals", "moral", "animals"],
        created_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC),
    )
    response = await alice.save(**fields)
    assert response.status_code == 201
    story = response.json()
    assert story == {
        "id": fields["id"],
        "title": "चतुर खरगोश",
        "text": "एक जंगल में एक चतुर खरगोश रहता था।",
        "language": "hi",
        "age_group": "6-8",
        "genres": ["animals", "moral"],
        "mode": "prompt",
        "prompt": fields["prompt"],
        "images": [],
        "audio": None,
        "source_image": None,
        "image_description": None,
        "favorite": False,
        "created_at": "2026-03-01T06:30:00Z",
        "model": "gpt-4o",
    }
    assert (await alice.get(fields["id"])).json() == story


async def test_saving_again_returns_the_stored_story_unchanged(alice: HistoryCaller) -> None:
    first = await alice.saved()
    retry = await alice.save(id=first["id"], title="A different title")
    assert retry.status_code == 200
    assert retry.json() == first
    page = (await alice.list()).json()
    assert [s["id"] for g in page["groups"] for s in g["stories"]] == [first["id"]]


async def test_an_id_owned_by_another_user_is_a_conflict(alice: HistoryCaller, bob: HistoryCaller) -> None:
    story = await alice.saved()
    response = await bob.save(id=story["id"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert alice.user_id not in response.text and story["title"] not in response.text
    assert (await bob.get(story["id"])).status_code == 404


async def test_saving_without_created_at_uses_now(alice: HistoryCaller) -> None:
    before = datetime.now(UTC)
    story = await alice.saved()
    saved_at = datetime.fromisoformat(story["created_at"])
    assert before - timedelta(seconds=1) <= saved_at <= datetime.now(UTC) + timedelta(seconds=1)


async def test_a_gateway_token_cannot_save(alice: HistoryCaller) -> None:
    response = await alice.save(issuer="gateway")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert (await alice.list()).json()["groups"] == []


async def test_a_gateway_key_claiming_to_be_story_service_cannot_save(
    client: httpx.AsyncClient, keys: TestKeys, alice: HistoryCaller
) -> None:
    # Signed with the gateway's key but claiming story-service as issuer, under either kid: the key decides.
    now = int(time.time())
    claims = {"iss": "storyscape:story-service", "sub": alice.user_id, "aud": "history-service", "iat": now, "exp": now + 60}
    gateway_key = keys.signer("gateway")
    for kid in (gateway_key.kid, keys.signer("story-service").kid):
        token = jwt.encode(claims, gateway_key._key, algorithm="EdDSA", headers={"kid": kid})
        response = await client.post("/internal/stories", json=story_fields(), headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
    assert (await alice.list()).json()["groups"] == []


async def test_saving_needs_a_valid_token(client: httpx.AsyncClient, keys: TestKeys) -> None:
    missing = await client.post("/internal/stories", json=story_fields())
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthenticated"
    token = keys.signer("story-service").sign(user_id="someone", audience="media-service", request_id="r")
    wrong_audience = await client.post("/internal/stories", json=story_fields(), headers={"Authorization": f"Bearer {token}"})
    assert wrong_audience.status_code == 401


@pytest.mark.parametrize(
    ("overrides", "mentions"),
    [
        ({"language": "fr"}, "language"),
        ({"age_group": "18-99"}, "age_group"),
        ({"title": "   "}, "title must be 1..200 characters"),
        ({"text": ""}, "text must be 1..50000 characters"),
        ({"text": "x" * 50_001}, "text must be 1..50000 characters"),
        ({"prompt": ""}, "prompt"),
        ({"mode": "video"}, "mode"),
        ({"id": "not-a-uuid"}, "id"),
        ({"genres": ["ok", ""]}, "each genre"),
        ({"genres": [f"g{i}" for i in range(11)]}, "genres"),
        ({"model": ""}, "model"),
        ({"created_at": "2026-03-01T10:00:00"}, "created_at"),
        ({"created_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "created_at"),
    ],
)
async def test_invalid_stories_are_refused_in_the_api_shape(alice: HistoryCaller, overrides: dict[str, Any], mentions: str) -> None:
    response = await alice.save(**overrides)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert mentions in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    assert (await alice.list()).json()["groups"] == []


def caller(user_id: str, request_id: str) -> Identity:
    """The identity a request reached story-service with (the client re-signs it with story-service's key)."""
    return Identity(user_id=user_id, request_id=request_id, issuer="storyscape:gateway", token="")


async def test_story_service_client_contract(history_server: LiveServer, keys: TestKeys) -> None:
    """The typed client story-service uses: save, save again, and a clash surfaces as a 409 ApiError."""
    history = HistoryClient(base_url=history_server.url, signer=keys.signer("story-service"))
    try:
        story = StoryCreate.model_validate(story_fields())
        saved = await history.save_story(story, identity=caller("client-user", "req-1"))
        again = await history.save_story(story, identity=caller("client-user", "req-2"))
        assert saved == again and saved.id == str(story.id)
        with pytest.raises(ApiError) as raised:
            await history.save_story(story, identity=caller("other-user", "req-3"))
        assert (raised.value.status, raised.value.code) == (409, "conflict")
    finally:
        await history.aclose()


async def test_uppercase_ids_are_the_same_story(alice: HistoryCaller) -> None:
    story_id = str(uuid.uuid4())
    first = await alice.save(id=story_id.upper())
    assert first.status_code == 201 and first.json()["id"] == story_id
    assert (await alice.save(id=story_id)).status_code == 200
    assert (await alice.get(story_id.upper())).status_code == 200


async def test_concurrent_retries_store_the_story_once(alice: HistoryCaller) -> None:
    fields = story_fields()
    responses = await asyncio.gather(*(alice.save(**fields) for _ in range(8)))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.text for r in responses}) == 1
    page = (await alice.list()).json()
    assert [s["id"] for g in page["groups"] for s in g["stories"]] == [fields["id"]]
