"""The real neighbours of story-service, on loopback: history-service (SQLite), hindi-llm-service (tiny Llama), and
where a test needs them media-service and prompt-service."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from storyscape_devtools.testing import LiveServer, TestKeys, free_port

from hindi_llm_service.main import create_app as create_llm_app
from hindi_llm_service.settings import Settings as LlmSettings
from history_service.main import create_app as create_history_app
from history_service.settings import Settings as HistorySettings
from media_service.main import create_app as create_media_app
from media_service.settings import Settings as MediaSettings
from prompt_service.main import create_app as create_prompt_app
from prompt_service.settings import Settings as PromptSettings
from story_service.main import create_app as create_story_app
from story_service.settings import Settings as StorySettings

TINY_MODEL = "tiny-llama"


def history_server(keys: TestKeys, directory: Path, **overrides: Any) -> LiveServer:
    settings = HistorySettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("history-service"),
        database_url=f"sqlite:///{directory / 'history.db'}",
        prompt_url=f"http://127.0.0.1:{free_port()}",
        **overrides,
    )
    return LiveServer(create_history_app(settings))


def media_server(keys: TestKeys, directory: Path) -> LiveServer:
    """media-service on the local store, with the offline illustrator; it serves its own signed URLs."""
    port = free_port()
    settings = MediaSettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        object_store="local",
        local_dir=str(directory / "media"),
        public_base_url=f"http://127.0.0.1:{port}",
        url_signing_secret=secrets.token_urlsafe(32),
        database_url=f"sqlite:///{directory / 'media.db'}",
        illustrator="local",
        narrator="espeak",
    )
    return LiveServer(create_media_app(settings), port=port)


def prompt_server(keys: TestKeys, directory: Path) -> LiveServer:
    """prompt-service on SQLite: readers' settings and custom genres."""
    settings = PromptSettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("prompt-service"),
        database_url=f"sqlite:///{directory / 'prompt.db'}",
    )
    return LiveServer(create_prompt_app(settings))


def llm_server(keys: TestKeys, model_dir: Path) -> tuple[LiveServer, Any]:
    settings = LlmSettings(
        environment="test",
        internal_public_keys=keys.public_keys,
        model_path=model_dir,
        model_name=TINY_MODEL,
        adapters={},
        extra_model_paths=[],
        torch_threads=1,
        max_concurrent=2,
    )
    app = create_llm_app(settings)
    return LiveServer(app), app


def story_server(
    keys: TestKeys, *, history_url: str, llm_url: str, clock: Callable[[], datetime] | None = None, **overrides: Any
) -> LiveServer:
    """story-service on SQLite between these neighbours; `clock` is its "now" (tests move it instead of waiting)."""
    values: dict[str, Any] = {
        "environment": "test",
        "internal_public_keys": keys.public_keys,
        "internal_signing_key": keys.private_pem("story-service"),
        "history_url": history_url,
        # No prompt-service unless a test starts one: requests then fall back to the default settings.
        "prompt_url": f"http://127.0.0.1:{free_port()}",
        # Nor media-service: a completed story then ends its stream without pictures.
        "media_url": f"http://127.0.0.1:{free_port()}",
        "hindi_llm_url": f"{llm_url}/v1",
        "hindi_model": TINY_MODEL,
        "local_english_model": TINY_MODEL,
        "max_story_tokens": 24,
        # Greedy: each test's story is the same every run. Sampled, tiny-llama's random bytes tripped the offline
        # profanity classifier about once in 300 stories, blocking a story a test expected to complete.
        "temperature": 0.0,
        # The tiny model's prompt covers most of its small vocabulary, so a repetition penalty mostly boosts its
        # end-of-turn token, and a story could end before its first word; the saga, not the penalty, is tested here
        # (the penalty has its own tests in hindi-llm-service, and the e2e stack serves it).
        "local_repetition_penalty": 1.0,
        "database_url": f"sqlite:///{tempfile.mkdtemp(prefix='story-db-')}/story.db",
        "history_timeout_seconds": 2.0,
        "outbox_poll_seconds": 0.2,
    }
    settings = StorySettings(**(values | overrides))
    return LiveServer(create_story_app(settings) if clock is None else create_story_app(settings, clock=clock))
