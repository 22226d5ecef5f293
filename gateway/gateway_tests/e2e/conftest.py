"""One whole stack for every end-to-end test: the emulator and every service as real processes on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.testing import free_port

from storyscape_common.registry import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[3]
MODEL_DIR = REPO_ROOT / ".models" / "smollm2-135m-instruct"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    config = StackConfig(
        root=REPO_ROOT,
        state_dir=tmp_path_factory.mktemp("stack"),
        ports={spec.name: free_port() for spec in SERVICES},
        emulator_port=free_port(),
        model_path=MODEL_DIR,
        # A short story keeps the tests quick on two CPU cores; the path is the production one.
        extra_env={"story-service": {"STORY_MAX_STORY_TOKENS": "48"}},
    )
    with DevStack(config):
        yield config
