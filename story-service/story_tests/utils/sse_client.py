"""Reading story streams as a client would."""

from __future__ import annotations

from typing import Any

import httpx
from storyscape_devtools.testing import TestKeys

from storyscape_common.sse import ServerSentEvent, iter_events

DEFAULT_STORY = {"prompt": "A little elephant who is afraid of water", "language": "en", "age_group": "3-5", "genres": ["animals"]}


def user_headers(keys: TestKeys, user_id: str, audience: str = "story-service") -> dict[str, str]:
    return keys.bearer(user_id=user_id, audience=audience)


async def collect_story(url: str, keys: TestKeys, *, user_id: str, body: dict[str, Any] | None = None) -> list[ServerSentEvent]:
    async with httpx.AsyncClient(timeout=60) as client:
        async with client.stream("POST", f"{url}/v1/stories", json=body or DEFAULT_STORY, headers=user_headers(keys, user_id)) as response:
            assert response.status_code == 200, await response.aread()
            assert response.headers["content-type"].startswith("text/event-stream")
            return [event async for event in iter_events(response.aiter_lines())]


def story_text(events: list[ServerSentEvent]) -> str:
    return "".join(event.json()["text"] for event in events if event.event == "story.delta")
