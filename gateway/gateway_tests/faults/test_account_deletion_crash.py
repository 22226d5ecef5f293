"""An account deletion survives story-service (which holds the job) being SIGKILLed half-way: the Firebase user and
the reader's stories are gone, prompt-service (killed too) still holds their settings, so the job waits; story-service
dies; once prompt-service and a new story-service process are up, the job finishes from where it was and nothing of
the reader is left."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.testing import rows_holding

from gateway_tests.faults.stack import HISTORY_SERVICE, STORY_SERVICE, FaultStack
from storyscape_common.internal_auth import InternalTokenSigner
from storyscape_common.registry import MEDIA_SERVICE, PROMPT_SERVICE

PASSWORD = "a-long-password"
STORY_ENV = {
    "STORY_ACCOUNT_DELETION_POLL_SECONDS": "0.2",
    "STORY_ACCOUNT_DELETION_RESWEEP_SECONDS": "1",
    # A claim held by the killed process lapses after 5 × 2 s + 5 s.
    "STORY_ACCOUNT_DELETION_CALL_TIMEOUT_SECONDS": "2",
}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[FaultStack]:
    stack = FaultStack(tmp_path, extra_env={STORY_SERVICE: STORY_ENV})
    try:
        stack.stack.start_emulator()
        for name in (HISTORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE, STORY_SERVICE):
            stack.start(name)
        yield stack
    finally:
        stack.stop()


def emulator(stack: FaultStack, action: str, email: str) -> httpx.Response:
    url = f"http://127.0.0.1:{stack.config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:{action}?key=demo-key"
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.post(url, json={"email": email, "password": PASSWORD, "returnSecureToken": True}, timeout=10)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def headers(stack: FaultStack, issuer: str, *, user_id: str, audience: str) -> dict[str, str]:
    signer = InternalTokenSigner(private_key_pem=(stack.keys / f"{issuer}.pem").read_text(), issuer=issuer)
    return {"Authorization": f"Bearer {signer.sign(user_id=user_id, audience=audience, request_id=uuid.uuid4().hex)}"}


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.2)
    return False


async def test_a_deletion_finishes_after_story_service_is_killed_half_way(stack: FaultStack) -> None:
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    signed_up = emulator(stack, "signUp", email)
    assert signed_up.status_code == 200, signed_up.text
    uid = signed_up.json()["localId"]
    data = stack.config.state_dir / "data"
    databases = {name: f"sqlite:///{data / (name + '.db')}" for name in ("story", "history", "prompt", "media")}
    story = {
        "id": str(uuid.uuid4()),
        "title": "The Kite",
        "text": "A kite wanted to touch the clouds.",
        "language": "en",
        "age_group": "6-8",
        "genres": ["adventure"],
        "mode": "prompt",
        "prompt": "a kite",
        "model": "test",
    }
    async with httpx.AsyncClient(timeout=10) as client:
        saved = await client.post(
            stack.url(HISTORY_SERVICE) + "/internal/stories",
            json=story,
            headers=headers(stack, "story-service", user_id=uid, audience=HISTORY_SERVICE),
        )
        assert saved.status_code == 201, saved.text
        settings = await client.put(
            stack.url(PROMPT_SERVICE) + "/v1/me/settings",
            json={"age_group": "6-8"},
            headers=headers(stack, "gateway", user_id=uid, audience=PROMPT_SERVICE),
        )
        assert settings.status_code == 200, settings.text
        assert await rows_holding(databases["prompt"], [uid]) == {"user_settings": 1}
        await asyncio.to_thread(stack.kill, PROMPT_SERVICE)

        job = stack.url(STORY_SERVICE) + "/internal/me/deletion"
        as_gateway = headers(stack, "gateway", user_id=uid, audience=STORY_SERVICE)
        assert (await client.post(job, headers=as_gateway)).status_code == 202

        async def firebase_user_and_stories_gone() -> bool:
            gone = emulator(stack, "signInWithPassword", email).json().get("error", {}).get("message") == "EMAIL_NOT_FOUND"
            return gone and "history" not in [name for name, url in databases.items() if await rows_holding(url, [uid])]

        assert await eventually(firebase_user_and_stories_gone, within=30)
        assert (await client.get(job, headers=as_gateway)).json() == {"status": "pending"}  # prompt-service is down
        await asyncio.to_thread(stack.kill, STORY_SERVICE)

        stack.start(PROMPT_SERVICE)
        stack.start(STORY_SERVICE)  # the same database, a new process

        async def done() -> bool:
            answer = await client.get(job, headers=headers(stack, "gateway", user_id=uid, audience=STORY_SERVICE))
            return bool(answer.json() == {"status": "done"})

        assert await eventually(done, within=60)
    for url in databases.values():
        assert await rows_holding(url, [uid, str(story["id"])]) == {}
