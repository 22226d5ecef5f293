"""Every test here starts real processes and hurts them: marked `faults`."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "gateway_tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
