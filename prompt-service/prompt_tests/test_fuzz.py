"""Schema-driven fuzzing: no 5xx, and every answer is one the OpenAPI document declares."""

from __future__ import annotations

from storyscape_devtools.fuzz import fuzz_service
from storyscape_devtools.testing import LiveServer, TestKeys


def test_every_operation_answers_as_documented(prompt_server: LiveServer, keys: TestKeys) -> None:
    report = fuzz_service(prompt_server.url, headers=lambda: keys.bearer(user_id="fuzz-reader", audience="prompt-service"))
    assert report.operations >= 1
    assert report.failures == {}
