"""A client that goes away stops the model (GPU time is the most expensive thing we own) and saves nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
from storyscape_devtools.testing import LiveServer, TestKeys

from story_tests.conftest import Neighbours
from story_tests.utils.sse_client import collect_story, user_headers
from storyscape_common.sse import iter_events
from storyscape_common.story_prompts import max_tokens_for


async def wait_until_quiet(neighbours: Neighbours, *, quiet_for: float = 1.0, give_up_after: float = 20.0) -> int:
    """Wait until the engine's token counter stops moving; return the count."""
    deadline = time.monotonic() + give_up_after
    last, last_change = neighbours.tokens_generated(), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        now = neighbours.tokens_generated()
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change >= quiet_for:
            return now
    raise AssertionError("the engine kept generating")


def cancelled_count(neighbours: Neighbours) -> float:
    registry = neighbours.llm_app.state.metrics_registry
    return registry.get_sample_value("llm_requests_finished_total", {"outcome": "cancelled"}) or 0.0


async def test_disconnecting_cancels_generation_and_saves_nothing(
    story_service_with: Callable[..., AbstractContextManager[LiveServer]], neighbours: Neighbours, keys: TestKeys
) -> None:
    body = {"prompt": "A very long story about a river", "language": "en", "age_group": "13-17"}
    budget = max_tokens_for(language="en", age_group="13-17")
    # Greedy decoding makes the uninterrupted run repeatable: we know how long it would have gone on.
    with story_service_with(max_story_tokens=budget, temperature=0.0) as server:
        before = await wait_until_quiet(neighbours)
        await collect_story(server.url, keys, user_id="stayer", body=body)
        full_run = await wait_until_quiet(neighbours) - before
        assert full_run >= 200, "the reference story is too short to show a cancellation"

        cancelled_before = cancelled_count(neighbours)
        async with httpx.AsyncClient(timeout=60) as client:
            async with client.stream("POST", f"{server.url}/v1/stories", json=body, headers=user_headers(keys, "leaver")) as response:
                seen = []
                async for event in iter_events(response.aiter_lines()):
                    seen.append(event)
                    if len(seen) == 4:
                        break
        assert [event.event for event in seen][:2] == ["story.started", "story.delta"]
        story_id = seen[0].json()["story_id"]

        after = await wait_until_quiet(neighbours) - before - full_run
        assert after < full_run / 2, f"generation ran on after the client left ({after} of {full_run} tokens)"
        assert cancelled_count(neighbours) == cancelled_before + 1

        async with httpx.AsyncClient() as client:
            saved = await client.get(
                f"{neighbours.history.url}/v1/stories/{story_id}", headers=user_headers(keys, "leaver", "history-service")
            )
            listed = await client.get(f"{neighbours.history.url}/v1/stories", headers=user_headers(keys, "leaver", "history-service"))
        assert saved.status_code == 404
        assert listed.json()["groups"] == []
