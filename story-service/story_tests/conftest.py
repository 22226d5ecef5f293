"""story-service between its real neighbours: history-service and hindi-llm-service as live loopback servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest
from storyscape_devtools.testing import LiveServer, TestKeys
from storyscape_devtools.tiny_llama import build_tiny_llama

from story_tests.utils.stack import history_server, llm_server, story_server


@dataclass(frozen=True)
class Neighbours:
    history: LiveServer
    llm: LiveServer
    llm_app: Any

    def tokens_generated(self) -> int:
        return int(self.llm_app.state.engine.tokens_generated)


@pytest.fixture(scope="session")
def neighbours(keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neighbours]:
    root = tmp_path_factory.mktemp("neighbours")
    model_dir = build_tiny_llama(root / "tiny-llama", seed=0)
    llm, llm_app = llm_server(keys, model_dir)
    with history_server(keys, root) as history, llm:
        history.wait_ready()
        llm.wait_ready()
        yield Neighbours(history, llm, llm_app)


@pytest.fixture(scope="session")
def story_service(keys: TestKeys, neighbours: Neighbours) -> Iterator[LiveServer]:
    with story_server(keys, history_url=neighbours.history.url, llm_url=neighbours.llm.url) as server:
        yield server


@pytest.fixture
def story_service_with(keys: TestKeys, neighbours: Neighbours) -> Callable[..., AbstractContextManager[LiveServer]]:
    """A story-service with some settings changed (other providers, neighbours down)."""

    def make(**overrides: Any) -> AbstractContextManager[LiveServer]:
        values = {"history_url": neighbours.history.url, "llm_url": neighbours.llm.url} | overrides
        return story_server(keys, **values)

    return make
