"""One offline moderator per session (its models take a second or two to load)."""

from __future__ import annotations

import pytest

from storyscape_safety import OfflineModerator


@pytest.fixture(scope="session")
def offline() -> OfflineModerator:
    return OfflineModerator()
