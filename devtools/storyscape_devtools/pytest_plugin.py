"""Fixtures every suite shares, registered as a pytest plugin by the devtools package."""

from __future__ import annotations

import pytest

from storyscape_devtools.testing import TestKeys, new_test_keys


@pytest.fixture(scope="session")
def keys() -> TestKeys:
    """Internal-token keys for this test session: one Ed25519 pair per issuer."""
    return new_test_keys()
