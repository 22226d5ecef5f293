"""Account deletion, the job: it deletes the Firebase user first, then the reader's rows in every service (this one
included) and their media, sweeps once more, and only then says done; a service (or Firebase) that is down holds
it up until it is back, and a restarted story-service picks it up where it was."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from storyscape_devtools.testing import LiveServer, TestKeys, free_port, rows_holding

from history_service.main import create_app as create_history_app
from history_service.settings import Settings as HistorySettings
from prompt_service.main import create_app as create_prompt_app
from prompt_service.settings import Settings as PromptSettings
from story_service.settings import Settings as StorySettings
from story_tests.conftest import Neighbours
from story_tests.utils.firebase_accounts import Accounts, accounts_app
from story_tests.utils.sse_client import DEFAULT_STORY, user_headers
from story_tests.utils.stack import media_server, story_server

EMULATOR_HOST_VARIABLE = "FIREBASE_AUTH_EMULATOR_HOST"
SERVICES = ("story", "history", "prompt", "media")


def history_settings(keys: TestKeys, directory: Path) -> HistorySettings:
    return HistorySettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("history-service"),
        database_url=f"sqlite:///{directory / 'history.db'}",
        prompt_url=f"http://127.0.0.1:{free_port()}",
    )


def prompt_settings(keys: TestKeys, directory: Path) -> PromptSettings:
    return PromptSettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("prompt-service"),
        database_url=f"sqlite:///{directory / 'prompt.db'}",
    )


@dataclass
class DeletionStack:
    """story-service and its real neighbours on loopback, each with its own database under `root`; Firebase on a
    port of its own (`accounts`), started or not as a test needs."""

    root: Path
    keys: TestKeys
    llm_url: str
    accounts: Accounts
    ports: dict[str, int]
    stack: ExitStack
    resweep_seconds: float = 1.0

    def database(self, name: str) -> str:
        return f"sqlite:///{self.root / (name + '.db')}"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> LiveServer:
        """Start one part on its port, for the rest of the test."""
        directory = self.root
        if name == "firebase":
            server = LiveServer(accounts_app(self.accounts), port=self.ports[name])
        elif name == "history":
            server = LiveServer(create_history_app(history_settings(self.keys, directory)), port=self.ports[name])
        elif name == "prompt":
            server = LiveServer(create_prompt_app(prompt_settings(self.keys, directory)), port=self.ports[name])
        elif name == "media":
            server = media_server(self.keys, directory)
        else:
            server = story_server(
                self.keys,
                history_url=self.url("history"),
                llm_url=self.llm_url,
                prompt_url=self.url("prompt"),
                media_url=self.url("media"),
                database_url=self.database("story"),
                firebase_auth_emulator_host=f"127.0.0.1:{self.ports['firebase']}",
                account_deletion_poll_seconds=0.2,
                account_deletion_resweep_seconds=self.resweep_seconds,
                account_deletion_call_timeout_seconds=3.0,
            )
        return self.stack.enter_context(server)


@pytest.fixture
def deletion_stack(keys: TestKeys, neighbours: Neighbours, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DeletionStack]:
    with ExitStack() as stack:
        ports = {name: free_port() for name in ("firebase", "history", "prompt")}
        built = DeletionStack(tmp_path, keys, neighbours.llm.url, Accounts(), ports, stack)
        # firebase-admin reads the emulator's address from the process environment; this test's server only.
        monkeypatch.setenv(EMULATOR_HOST_VARIABLE, f"127.0.0.1:{ports['firebase']}")
        yield built


def media_port(stack: DeletionStack, server: LiveServer) -> None:
    stack.ports["media"] = server.port


async def write_story(story_url: str, keys: TestKeys, user_id: str) -> str:
    """A story through story-service, with an Idempotency-Key: rows in story-service, history and media."""
    headers = user_headers(keys, user_id) | {"Idempotency-Key": f"key-{user_id}"}
    async with httpx.AsyncClient(timeout=60) as client:
        async with client.stream("POST", f"{story_url}/v1/stories", json=DEFAULT_STORY | {"ai_images": False}, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            lines = [line async for line in response.aiter_lines()]
    completed = lines.index("event: story.completed")
    story_id: str = httpx.Response(200, content=lines[completed + 1].removeprefix("data: ")).json()["story"]["id"]
    return story_id


async def settle_settings(prompt_url: str, keys: TestKeys, user_id: str) -> None:
    headers = keys.bearer(user_id=user_id, audience="prompt-service")
    async with httpx.AsyncClient(base_url=prompt_url, timeout=10) as client:
        assert (await client.put("/v1/me/settings", json={"age_group": "6-8"}, headers=headers)).status_code == 200
        assert (await client.post("/v1/prompts/saved", json={"text": "A shy dragon", "language": "en"}, headers=headers)).status_code == 201


async def ask_deletion(story_url: str, keys: TestKeys, user_id: str, *, method: str = "POST", issuer: str = "gateway") -> httpx.Response:
    headers = keys.bearer(user_id=user_id, audience="story-service", issuer=issuer)
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.request(method, f"{story_url}/internal/me/deletion", headers=headers)


async def wait_done(story_url: str, keys: TestKeys, user_id: str, *, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status = (await ask_deletion(story_url, keys, user_id, method="GET")).json()["status"]
        if status == "done":
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"account deletion of {user_id} still pending after {within} s")


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 20) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


def phase(stack: DeletionStack, user_id: str) -> str | None:
    with sqlite3.connect(stack.root / "story.db") as connection:
        row = connection.execute("SELECT phase FROM account_deletions WHERE user_id = ?", (user_id,)).fetchone()
    return str(row[0]) if row else None


async def held(stack: DeletionStack, needles: list[str]) -> dict[str, dict[str, int]]:
    """Rows holding any needle, by service, read from each service's own database."""
    found = {name: await rows_holding(stack.database(name), needles) for name in SERVICES}
    return {name: rows for name, rows in found.items() if rows}


def user_objects(stack: DeletionStack, user_id: str) -> list[Path]:
    prefix = stack.root / "media" / "users" / hashlib.sha256(user_id.encode()).hexdigest()[:32]
    return [path for path in prefix.rglob("*") if path.is_file()] if prefix.exists() else []


@contextmanager
def everything_up(stack: DeletionStack) -> Iterator[LiveServer]:
    stack.start("firebase")
    stack.start("history")
    stack.start("prompt")
    media_port(stack, stack.start("media"))
    yield stack.start("story")


async def test_a_deleted_reader_is_gone_from_firebase_every_database_and_the_object_store(deletion_stack: DeletionStack) -> None:
    stack, keys = deletion_stack, deletion_stack.keys
    stack.accounts.users |= {"alice", "bob"}
    with everything_up(stack) as story:
        alice_story = await write_story(story.url, keys, "alice")
        bob_story = await write_story(story.url, keys, "bob")
        await settle_settings(stack.url("prompt"), keys, "alice")
        await settle_settings(stack.url("prompt"), keys, "bob")
        before = await held(stack, ["alice", alice_story])
        assert set(before) == {"story", "history", "media", "prompt"}, before
        assert {"story_outbox", "idempotency_keys"} <= set(before["story"])
        bob_before = await held(stack, ["bob", bob_story])

        accepted = await ask_deletion(story.url, keys, "alice")
        assert (accepted.status_code, accepted.json()) == (202, {"status": "pending"})
        assert (await ask_deletion(story.url, keys, "alice")).status_code == 202  # asking again changes nothing
        await wait_done(story.url, keys, "alice", within=30)

        assert stack.accounts.deleted == ["alice"]
        assert await held(stack, ["alice", alice_story]) == {}
        assert user_objects(stack, "alice") == []
        assert await held(stack, ["bob", bob_story]) == bob_before and user_objects(stack, "bob")
        assert stack.accounts.users == {"bob"}


async def test_only_the_gateway_asks_for_a_deletion(deletion_stack: DeletionStack) -> None:
    stack, keys = deletion_stack, deletion_stack.keys
    with everything_up(stack) as story:
        # No other service may address story-service (the registry), let alone ask it to delete an account.
        refused = await ask_deletion(story.url, keys, "alice", issuer="history-service")
        assert refused.status_code == 401
        assert (await ask_deletion(story.url, keys, "alice", method="GET")).json() == {"status": "done"}
        assert await held(stack, ["alice"]) == {}


async def test_firebase_then_a_service_down_hold_the_deletion_until_they_are_back(deletion_stack: DeletionStack) -> None:
    stack, keys = deletion_stack, deletion_stack.keys
    stack.accounts.users.add("alice")
    stack.start("history")
    media_port(stack, stack.start("media"))
    prompt = LiveServer(create_prompt_app(prompt_settings(keys, stack.root)), port=stack.ports["prompt"])
    with prompt:
        story = stack.start("story")
        story_id = await write_story(story.url, keys, "alice")
        await settle_settings(stack.url("prompt"), keys, "alice")
    # Firebase and prompt-service are down.
    assert (await ask_deletion(story.url, keys, "alice")).status_code == 202
    await asyncio.sleep(2)
    assert (await ask_deletion(story.url, keys, "alice", method="GET")).json() == {"status": "pending"}
    # The Firebase user goes first: while it cannot, nothing else is deleted (the reader could still write more).
    assert "history" in await held(stack, ["alice", story_id])

    stack.start("firebase")

    async def history_swept() -> bool:
        return "history" not in await held(stack, ["alice", story_id])

    assert await eventually(history_swept)
    assert stack.accounts.deleted == ["alice"]
    remaining = await held(stack, ["alice", story_id])
    assert set(remaining) == {"story", "prompt"}, remaining  # prompt-service's rows, and the job waiting for it
    assert set(remaining["story"]) == {"account_deletions"}
    assert (await ask_deletion(story.url, keys, "alice", method="GET")).json() == {"status": "pending"}

    stack.start("prompt")
    await wait_done(story.url, keys, "alice", within=30)
    assert await held(stack, ["alice", story_id]) == {}


async def test_what_arrives_after_the_first_sweep_is_swept_too(deletion_stack: DeletionStack) -> None:
    stack, keys = deletion_stack, deletion_stack.keys
    stack.accounts.users.add("alice")
    stack.resweep_seconds = 8.0
    with everything_up(stack) as story:
        assert (await ask_deletion(story.url, keys, "alice")).status_code == 202

        async def first_sweep_done() -> bool:
            return phase(stack, "alice") == "resweep"

        assert await eventually(first_sweep_done)
        # A story that was streaming when the reader asked is saved after the first sweep went by.
        late = await write_story(story.url, keys, "alice")
        assert phase(stack, "alice") == "resweep" and "history" in await held(stack, ["alice", late])
        await wait_done(story.url, keys, "alice", within=30)
        assert await held(stack, ["alice", late]) == {}


async def test_a_restarted_story_service_finishes_the_deletion(deletion_stack: DeletionStack) -> None:
    stack, keys = deletion_stack, deletion_stack.keys
    stack.accounts.users.add("alice")
    stack.start("firebase")
    stack.start("history")
    media_port(stack, stack.start("media"))
    first = story_server(
        keys,
        history_url=stack.url("history"),
        llm_url=stack.llm_url,
        prompt_url=stack.url("prompt"),  # down for now
        media_url=stack.url("media"),
        database_url=stack.database("story"),
        account_deletion_poll_seconds=0.2,
    )
    with first:
        assert (await ask_deletion(first.url, keys, "alice")).status_code == 202

        async def firebase_user_deleted() -> bool:
            return bool(stack.accounts.deleted)

        assert await eventually(firebase_user_deleted)
    assert stack.accounts.deleted == ["alice"]
    assert "account_deletions" in (await held(stack, ["alice"]))["story"]

    stack.start("prompt")
    story = stack.start("story")  # the same database, a new process
    await wait_done(story.url, keys, "alice", within=30)
    assert await held(stack, ["alice"]) == {}


def test_production_needs_credentials_that_may_delete_users_and_no_emulator(keys: TestKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EMULATOR_HOST_VARIABLE, raising=False)
    production: dict[str, Any] = {
        "environment": "production",
        "internal_public_keys": keys.public_keys,
        "internal_signing_key": keys.private_pem("story-service"),
        "firebase_project_id": "storyscape-prod",
    }
    credentials = '{"type": "service_account"}'
    with pytest.raises(ValidationError, match="STORY_FIREBASE_CREDENTIALS"):
        StorySettings(**production)
    assert StorySettings(**production, firebase_credentials=credentials).firebase_credentials_info() == {"type": "service_account"}
    with pytest.raises(ValidationError, match="demo-"):
        StorySettings(**production | {"firebase_project_id": "demo-storyscape"}, firebase_credentials=credentials)
    with pytest.raises(ValidationError, match="development only"):
        StorySettings(**production, firebase_credentials=credentials, firebase_auth_emulator_host="127.0.0.1:9099")
    with pytest.raises(ValidationError, match="does not start with 'demo-'"):
        StorySettings(environment="development", firebase_project_id="storyscape-prod", firebase_auth_emulator_host="127.0.0.1:9099")
