"""Clients for the service under test: the official OpenAI client and plain httpx."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from openai import AsyncOpenAI
from storyscape_devtools.testing import LiveServer, TestKeys

SERVICE = "hindi-llm-service"


def internal_token(keys: TestKeys, user_id: str = "user-1") -> str:
    return keys.signer("story-service").sign(user_id=user_id, audience=SERVICE, request_id="test")


def openai_client(server: LiveServer, api_key: str) -> AsyncOpenAI:
    """The client story-service uses, pointed at our service; the internal token travels as the API key."""
    return AsyncOpenAI(base_url=f"{server.url}/v1", api_key=api_key, max_retries=0, timeout=30)


async def wait_for_steady(read_counter: Callable[[], int], *, settle: float = 0.3, within: float = 2) -> int:
    """Wait until a counter stops changing for `settle` seconds and return it; fail if it still moves after `within`."""
    deadline = time.monotonic() + within
    last = read_counter()
    while time.monotonic() < deadline:
        await asyncio.sleep(settle)
        current = read_counter()
        if current == last:
            return current
        last = current
    raise AssertionError("the counter kept changing")


async def wait_for_progress(read_counter: Callable[[], int], *, beyond: int, within: float = 10) -> None:
    """Poll a counter (owned by another thread, so there is nothing to await) until it passes `beyond`."""
    deadline = time.monotonic() + within
    while read_counter() <= beyond:  # noqa: ASYNC110 - the counter lives on the engine's thread
        if time.monotonic() > deadline:
            raise AssertionError("the counter did not move")
        await asyncio.sleep(0.01)
