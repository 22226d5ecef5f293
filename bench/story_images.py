"""story.completed → last story.image, measured on story-service's own SSE stream with its real neighbours on
loopback: history-service (SQLite), hindi-llm-service (a tiny random Llama, so text is instant and the figure is
media's), media-service (offline illustrator, local store). Used by bench_media.py."""

from __future__ import annotations

import secrets
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from storyscape_devtools.testing import LiveServer, TestKeys, free_port
from storyscape_devtools.tiny_llama import build_tiny_llama

from hindi_llm_service.main import create_app as create_llm_app
from hindi_llm_service.settings import Settings as LlmSettings
from history_service.main import create_app as create_history_app
from history_service.settings import Settings as HistorySettings
from media_service.main import create_app as create_media_app
from media_service.settings import Settings as MediaSettings
from story_service.main import create_app as create_story_app
from story_service.settings import Settings as StorySettings
from storyscape_common.sse import iter_events

MODEL = "tiny-llama"
BODY = {"prompt": "A little elephant who is afraid of water", "language": "en", "age_group": "3-5", "genres": ["animals"]}


def start_stack(stack: ExitStack, keys: TestKeys, state: Path) -> str:
    """Every server story-service talks to, then story-service; returns its URL."""
    common: dict[str, Any] = {"environment": "test", "internal_public_keys": keys.public_keys}
    media_port = free_port()
    media = MediaSettings(
        **common, object_store="local", local_dir=str(state / "objects"), public_base_url=f"http://127.0.0.1:{media_port}",
        url_signing_secret=secrets.token_urlsafe(32), database_url=f"sqlite:///{state}/media.db", illustrator="local", job_poll_s=0.2,
    )  # fmt: skip
    history = HistorySettings(
        **common, internal_signing_key=keys.private_pem("history-service"), database_url=f"sqlite:///{state}/history.db",
        prompt_url=f"http://127.0.0.1:{free_port()}", media_url=f"http://127.0.0.1:{media_port}",
    )  # fmt: skip
    llm = LlmSettings(
        **common, model_path=build_tiny_llama(state / "tiny-llama"), model_name=MODEL, adapters={}, extra_model_paths=[],
        torch_threads=1, max_concurrent=2,
    )  # fmt: skip
    servers = [
        LiveServer(create_media_app(media), port=media_port),
        LiveServer(create_history_app(history)),
        LiveServer(create_llm_app(llm)),
    ]
    media_live, history_live, llm_live = (stack.enter_context(server) for server in servers)
    for server in (media_live, history_live, llm_live):
        server.wait_ready()
    story = StorySettings(
        **common, internal_signing_key=keys.private_pem("story-service"), history_url=history_live.url, media_url=media_live.url,
        prompt_url=f"http://127.0.0.1:{free_port()}", hindi_llm_url=f"{llm_live.url}/v1", hindi_model=MODEL,
        local_english_model=MODEL, max_story_tokens=48, database_url=f"sqlite:///{state}/story.db",
    )  # fmt: skip
    return stack.enter_context(LiveServer(create_story_app(story))).url


async def completed_to_last_image(story_url: str, keys: TestKeys, *, ai_images: bool) -> float:
    """One story through story-service: seconds from its `story.completed` frame to its last `story.image`."""
    headers = keys.bearer(user_id="bench-reader", audience="story-service")
    completed_at, last_image_at, images = 0.0, 0.0, 0
    async with httpx.AsyncClient(timeout=120) as client:
        async with client.stream("POST", f"{story_url}/v1/stories", json=BODY | {"ai_images": ai_images}, headers=headers) as response:
            response.raise_for_status()
            async for event in iter_events(response.aiter_lines()):
                if event.event == "story.completed":
                    completed_at = time.perf_counter()
                elif event.event == "story.image":
                    last_image_at, images = time.perf_counter(), images + 1
    if images != 2:
        raise RuntimeError(f"expected 2 story.image events, got {images}")
    return last_image_at - completed_at
