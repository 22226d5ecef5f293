"""Schema-driven fuzzing: no 5xx, and every answer is one the OpenAPI document declares."""

from __future__ import annotations

from storyscape_devtools.fuzz import fuzz_service
from storyscape_devtools.testing import TestKeys

from media_tests.utils.live import LocalMediaServer


def test_every_operation_answers_as_documented(local_media_server: LocalMediaServer, test_keys: TestKeys) -> None:
    report = fuzz_service(local_media_server.url, headers=lambda: test_keys.bearer(user_id="fuzz-reader", audience="media-service"))
    assert report.operations >= 1
    assert report.failures == {}
