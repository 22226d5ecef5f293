"""Services killed mid-story (SIGKILL), with the dev stack's supervisor watching as under `make run`:
history-service down while a story is written → it arrives once history-service is back;
hindi-llm-service (real, with a tiny random model) down mid-story → the reader gets `error` at once, nothing is
saved, and the next story works once the supervisor has restarted it."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.supervisor import Supervisor
from storyscape_devtools.tiny_llama import build_tiny_llama

from gateway_tests.faults.stack import GATEWAY, HINDI_LLM_SERVICE, HISTORY_SERVICE, STORY, STORY_SERVICE, FaultStack, user_headers
from storyscape_common.sse import ServerSentEvent, iter_events

TINY_MODEL = "tiny-llama"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[FaultStack]:
    stack = FaultStack(tmp_path, extra_env={STORY_SERVICE: {"STORY_OUTBOX_POLL_SECONDS": "0.5"}})
    try:
        stack.start(HISTORY_SERVICE)
        stack.start(HINDI_LLM_SERVICE, tokens_per_second=20, tokens=60)  # a 3-second story
        stack.start(STORY_SERVICE)
        stack.start(GATEWAY)
        yield stack
    finally:
        stack.stop()


async def story_killing(stack: FaultStack, client: httpx.AsyncClient, uid: str, victim: str) -> tuple[list[ServerSentEvent], float]:
    """Stream a story and SIGKILL `victim` at its first token; the events, and seconds from the kill to the last."""
    events: list[ServerSentEvent] = []
    killed_at = 0.0
    async with client.stream("POST", "/v1/stories", json=STORY, headers=user_headers(uid)) as response:
        assert response.status_code == 200
        async for event in iter_events(response.aiter_lines()):
            events.append(event)
            if event.event == "story.delta" and not killed_at:
                await asyncio.to_thread(stack.kill, victim)
                killed_at = time.monotonic()
    return events, time.monotonic() - killed_at


async def listed_story_ids(client: httpx.AsyncClient, uid: str) -> list[str]:
    response = await client.get("/v1/stories", headers=user_headers(uid))
    assert response.status_code == 200, response.text
    return [story["id"] for group in response.json()["groups"] for story in group["stories"]]


async def test_a_story_written_while_history_is_killed_arrives_once_it_is_back(stack: FaultStack) -> None:
    uid = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=stack.url(GATEWAY), timeout=30) as client:
        events, _ = await story_killing(stack, client, uid, HISTORY_SERVICE)
        assert events[-1].event == "story.completed", [e.event for e in events]
        story_id = events[-1].json()["story"]["id"]

        await asyncio.sleep(2)  # the outbox tries and fails a few times meanwhile
        stack.start(HISTORY_SERVICE)
        back_at = time.monotonic()
        while story_id not in await listed_story_ids(client, uid):
            assert time.monotonic() - back_at < 15, "not delivered within 15 s of history-service coming back"
            await asyncio.sleep(0.25)
        assert await listed_story_ids(client, uid) == [story_id]  # once, not once per attempt


@pytest.fixture
def model_stack(tmp_path: Path) -> Iterator[FaultStack]:
    """The real hindi-llm-service on a tiny random model that writes until max_tokens (300: a few seconds)."""
    model = build_tiny_llama(tmp_path / "tiny-llama", seed=0, endless=True)
    env = {
        HINDI_LLM_SERVICE: {"HINDI_LLM_MODEL_NAME": TINY_MODEL, "HINDI_LLM_ADAPTERS": "{}"},
        STORY_SERVICE: {
            "STORY_HINDI_MODEL": TINY_MODEL,
            "STORY_LOCAL_ENGLISH_MODEL": TINY_MODEL,
            "STORY_MAX_STORY_TOKENS": "300",
            # Greedy, so the random model's bytes are the same every run (sampled, they now and then read as profanity).
            "STORY_TEMPERATURE": "0",
        },
    }
    stack = FaultStack(tmp_path, extra_env=env, model_path=model)
    try:
        for name in (HISTORY_SERVICE, HINDI_LLM_SERVICE, STORY_SERVICE, GATEWAY):
            stack.start(name)
        yield stack
    finally:
        stack.stop()


async def test_the_model_server_killed_mid_story_is_an_error_at_once_and_the_next_story_works(model_stack: FaultStack) -> None:
    stack = model_stack
    uid = uuid.uuid4().hex
    said: list[str] = []
    stop = threading.Event()
    supervisor = threading.Thread(target=Supervisor(stack.stack, say=said.append).run, args=(stop, 0.1))
    supervisor.start()
    try:
        async with httpx.AsyncClient(base_url=stack.url(GATEWAY), timeout=30) as client:
            events, seconds = await story_killing(stack, client, uid, HINDI_LLM_SERVICE)
            assert events[-1].event == "error", [e.event for e in events]
            assert seconds < 2.0
            assert (await client.get("/readyz")).status_code in (200, 503)
            assert (await client.get("/healthz")).status_code == 200

            # The supervisor brings the model server back; then a story works again.
            deadline = time.monotonic() + 20
            while not any(line.startswith(f"supervisor: restarted {HINDI_LLM_SERVICE}") for line in said):
                assert time.monotonic() < deadline, said
                await asyncio.sleep(0.1)
            stack.wait_up(HINDI_LLM_SERVICE)
            async with client.stream("POST", "/v1/stories", json=STORY, headers=user_headers(uid)) as response:
                names = [event.event async for event in iter_events(response.aiter_lines())]
            assert response.status_code == 200 and names[-1] == "story.completed", names

            await asyncio.sleep(1.5)  # room for a wrongly saved broken story to show up
            assert len(await listed_story_ids(client, uid)) == 1  # only the finished one
    finally:
        stop.set()
        supervisor.join()
    assert any("exited with code -9; restarting in 0.5 s" in line for line in said), said
