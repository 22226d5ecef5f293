"""Schema-driven fuzzing: no 5xx, and every answer is one the OpenAPI document declares."""

from __future__ import annotations

from storyscape_devtools.fuzz import fuzz_service
from storyscape_devtools.testing import TestKeys

from hindi_llm_tests.conftest import Served


def test_every_operation_answers_as_documented(served: Served, keys: TestKeys) -> None:
    report = fuzz_service(
        served.server.url, headers=lambda: keys.bearer(user_id="fuzz-caller", audience="hindi-llm-service"), max_examples=10
    )
    assert report.operations >= 2
    assert report.failures == {}
