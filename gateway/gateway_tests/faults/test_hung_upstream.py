"""An upstream that accepts the connection and never answers: the gateway answers 504 within its read timeout."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway_tests.faults.stack import GATEWAY, STORY, FaultStack, user_headers

READ_TIMEOUT_SECONDS = 1.5


@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """Completes TCP handshakes (the kernel does, from the backlog) and never reads or writes a byte."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener


def test_an_upstream_that_never_answers_is_504_within_the_timeout(silent_listener: socket.socket, tmp_path: Path) -> None:
    silent_url = f"http://127.0.0.1:{silent_listener.getsockname()[1]}"
    env = {"GATEWAY_STORY_URL": silent_url, "GATEWAY_PROMPT_URL": silent_url}
    env["GATEWAY_UPSTREAM_READ_TIMEOUT_SECONDS"] = str(READ_TIMEOUT_SECONDS)
    stack = FaultStack(tmp_path, extra_env={GATEWAY: env})
    try:
        stack.start(GATEWAY)
        with httpx.Client(base_url=stack.url(GATEWAY), timeout=30) as client:
            for method, path, body in (("POST", "/v1/stories", STORY), ("GET", "/v1/catalog", None)):
                started = time.monotonic()
                response = client.request(method, path, json=body, headers=user_headers())
                elapsed = time.monotonic() - started
                assert response.status_code == 504, response.text
                assert response.json()["error"]["code"] == "upstream_timeout"
                assert READ_TIMEOUT_SECONDS - 0.1 <= elapsed <= READ_TIMEOUT_SECONDS + 2.0
            assert client.get("/healthz").status_code == 200
        assert "Traceback" not in stack.log(GATEWAY)
    finally:
        stack.stop()
