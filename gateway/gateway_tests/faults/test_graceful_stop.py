"""SIGTERM to the gateway: it stops accepting, running story streams go on until the drain timeout, then each
ends with an `error` event (`unavailable`, retryable) rather than a cut connection."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest

from gateway_tests.faults.stack import GATEWAY, HINDI_LLM_SERVICE, STORY, STORY_SERVICE, FaultStack, user_headers
from storyscape_common.sse import iter_events

DRAIN_SECONDS = 3


async def test_a_stopping_gateway_lets_streams_run_then_ends_them_with_a_retryable_error(tmp_path: Path) -> None:
    stack = FaultStack(tmp_path, extra_env={GATEWAY: {"GATEWAY_GRACEFUL_SHUTDOWN_SECONDS": str(DRAIN_SECONDS)}})
    try:
        stack.start(HINDI_LLM_SERVICE, tokens_per_second=20, tokens=2000)  # a story far longer than the drain
        stack.start(STORY_SERVICE)
        stack.start(GATEWAY)
        events_after_sigterm: list[str] = []
        async with (
            httpx.AsyncClient(base_url=stack.url(GATEWAY), timeout=30) as client,
            client.stream("POST", "/v1/stories", json=STORY, headers=user_headers()) as response,
        ):
            assert response.status_code == 200
            stopped_at = 0.0
            async for event in iter_events(response.aiter_lines()):
                if event.event == "story.delta" and not stopped_at:
                    stack.terminate(GATEWAY)
                    stopped_at = time.monotonic()
                elif stopped_at:
                    events_after_sigterm.append(event.event)
                    last = event
                    if len(events_after_sigterm) == 5:  # while draining, nothing new is accepted
                        with pytest.raises(httpx.ConnectError):
                            await client.get("/healthz", headers={"Connection": "close"})
            ended_after = time.monotonic() - stopped_at

        assert events_after_sigterm.count("story.delta") >= 10, "the running stream went on while draining"
        assert last.event == "error" and last.json()["code"] == "upstream_unavailable" and last.json()["retryable"] is True
        assert DRAIN_SECONDS - 1.5 <= ended_after <= DRAIN_SECONDS + 1.0
        # uvicorn re-raises the SIGTERM it caught once it has shut down, so a clean stop reads as "killed by SIGTERM".
        assert stack.stack.processes[GATEWAY].wait(timeout=10) in (0, -signal.SIGTERM)
        assert "Traceback" not in stack.log(GATEWAY)
        async with httpx.AsyncClient(timeout=2) as after:
            with pytest.raises(httpx.ConnectError):  # the stopped gateway accepts no connections
                await after.get(stack.url(GATEWAY) + "/healthz")
    finally:
        stack.stop()
