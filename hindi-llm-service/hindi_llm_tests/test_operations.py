"""Health, readiness (only once the model is loaded) and metrics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from storyscape_devtools.testing import TestKeys

from hindi_llm_service.settings import Settings
from hindi_llm_tests.conftest import BASE_MODEL, Served, serve
from hindi_llm_tests.utils.clients import SERVICE


def test_a_loaded_model_is_ready_and_reports_metrics(served: Served, keys: TestKeys) -> None:
    assert httpx.get(f"{served.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{served.url}/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"model": "ok"}
    httpx.post(
        f"{served.url}/v1/chat/completions",
        headers=keys.bearer(user_id="u", audience=SERVICE),
        json={"model": BASE_MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3, "temperature": 0},
    )
    metrics = httpx.get(f"{served.url}/metrics").text
    assert "llm_generated_tokens_total" in metrics
    assert 'llm_requests_finished_total{outcome="length"}' in metrics


def test_a_model_that_cannot_load_is_never_ready(make_settings: Callable[..., Settings], keys: TestKeys, tmp_path: Path) -> None:
    with serve(make_settings(model_path=tmp_path / "missing"), ready=False) as broken:
        assert httpx.get(f"{broken.url}/healthz").status_code == 200
        ready = httpx.get(f"{broken.url}/readyz")
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "upstream_unavailable"
        answer = httpx.post(
            f"{broken.url}/v1/chat/completions",
            headers=keys.bearer(user_id="u", audience=SERVICE),
            json={"model": BASE_MODEL, "messages": [{"role": "user", "content": "hi"}]},
        )
        assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
