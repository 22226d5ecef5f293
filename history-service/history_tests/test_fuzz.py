"""Schema-driven fuzzing: no 5xx, and every answer is one the OpenAPI document declares."""

from __future__ import annotations

from storyscape_devtools.fuzz import fuzz_service
from storyscape_devtools.testing import LiveServer, TestKeys


def test_every_operation_answers_as_documented(history_server: LiveServer, keys: TestKeys) -> None:
    report = fuzz_service(history_server.url, headers=lambda: keys.bearer(user_id="fuzz-reader", audience="history-service"))
    assert report.operations >= 5
    assert report.failures == {}
