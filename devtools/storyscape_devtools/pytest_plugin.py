"""Fixtures every suite shares, registered as a pytest plugin by the devtools package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyscape_common.registry import SERVICES
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.testing import TestKeys, free_port, new_test_keys

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def keys() -> TestKeys:
    """Internal-token keys for this test session: one Ed25519 pair per issuer."""
    return new_test_keys()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    """The whole product as `make run` starts it (emulator, every service, the console), on free ports, once per
    test session; end-to-end tests and the browser test share it."""
    config = StackConfig(
        root=REPO_ROOT,
        state_dir=tmp_path_factory.mktemp("stack"),
        ports={spec.name: free_port() for spec in SERVICES},
        emulator_port=free_port(),
        console_port=free_port(),
        # model_path unset: hindi-llm-service's own default (Gemma 3 270M + storyscape-hi, SmolLM2 for English).
        # Short stories keep the tests quick on two CPU cores; the path is the production one.
        # Account deletion's second sweep after a second, not ten minutes: the e2e test waits for "done".
        extra_env={"story-service": {"STORY_MAX_STORY_TOKENS": "64", "STORY_ACCOUNT_DELETION_RESWEEP_SECONDS": "1"}},
    )
    with DevStack(config):
        yield config
