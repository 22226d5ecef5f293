"""Schema-driven fuzzing of the gateway as a process, as a signed-in emulator user: no 5xx, answers as documented.

The gateway's own OpenAPI document lists only its operational routes today (`/v1` is relayed and documented by each
service); when the services' documents are merged into it, this test fuzzes them through the gateway unchanged.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from storyscape_devtools.fuzz import fuzz_service
from storyscape_devtools.testing import LiveServer

from gateway_tests.faults.stack import GATEWAY, FaultStack, user_headers


def healthy_upstream() -> FastAPI:
    """Answers `/healthz` for every upstream, so `/readyz` is 200 (a 503 there would count as a server error)."""
    app = FastAPI()
    app.get("/healthz")(lambda: {"status": "ok"})
    return app


def test_every_documented_gateway_operation_answers_as_documented(tmp_path: Path) -> None:
    with LiveServer(healthy_upstream()) as upstream:
        env = {f"GATEWAY_{name}_URL": upstream.url for name in ("STORY", "MEDIA", "PROMPT", "HISTORY")}
        stack = FaultStack(tmp_path, extra_env={GATEWAY: env})
        try:
            stack.start(GATEWAY)
            report = fuzz_service(stack.url(GATEWAY), headers=lambda: user_headers("fuzz-reader"))
        finally:
            stack.stop()
    assert report.operations >= 3  # /healthz, /readyz, /metrics
    assert report.failures == {}
