"""Shared fixtures: a tiny random Llama with a LoRA adapter, served by the real app on a loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from storyscape_devtools.testing import LiveServer, TestKeys

from hindi_llm_service.main import create_app
from hindi_llm_service.settings import Settings
from hindi_llm_tests.utils.tiny_models import build_lora_adapter, build_test_model

BASE_MODEL = "tiny-llama"
ADAPTER = "hindi-stories"


@dataclass(frozen=True)
class Served:
    """A running hindi-llm-service and the app object behind it (to read its engine's token counter)."""

    server: LiveServer
    app: FastAPI

    @property
    def url(self) -> str:
        return self.server.url

    def tokens_generated(self) -> int:
        return int(self.app.state.engine.tokens_generated)

    def forward_passes(self) -> int:
        return int(self.app.state.engine.forward_passes)


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("models")
    model_dir = build_test_model(root / "tiny-llama")
    return model_dir, build_lora_adapter(model_dir=model_dir, directory=root / "lora")


@pytest.fixture(scope="session")
def make_settings(keys: TestKeys, model_dirs: tuple[Path, Path]) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        model_dir, adapter_dir = model_dirs
        values: dict[str, Any] = {
            "environment": "test",
            "internal_public_keys": keys.public_keys,
            "model_path": model_dir,
            "model_name": BASE_MODEL,
            "adapters": {ADAPTER: adapter_dir},
            "extra_model_paths": [],
            "torch_threads": 1,
            "max_concurrent": 2,
            "max_tokens_limit": 4096,
            "default_max_tokens": 64,
        }
        return Settings(**(values | overrides))

    return make


@contextmanager
def serve(settings: Settings, *, ready: bool = True) -> Iterator[Served]:
    app = create_app(settings)
    with LiveServer(app) as server:
        if ready:
            server.wait_ready()
        yield Served(server, app)


@pytest.fixture(scope="session")
def served(make_settings: Callable[..., Settings]) -> Iterator[Served]:
    """The service with two generation slots and room to queue."""
    with serve(make_settings()) as running:
        yield running


@pytest.fixture(scope="session")
def single_slot(make_settings: Callable[..., Settings]) -> Iterator[Served]:
    """The service with one generation slot and no queue: a second request is refused until the first ends."""
    with serve(make_settings(max_concurrent=1, max_queued=0)) as running:
        yield running
