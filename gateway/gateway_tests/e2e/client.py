"""Calls to the whole stack as the iOS app makes them: Firebase sign-up on the emulator, then the gateway."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from storyscape_devtools.devstack import StackConfig

from storyscape_common.sse import ServerSentEvent, iter_events


def sign_up(config: StackConfig) -> str:
    """A new user through the emulator's REST API, as the iOS app's Firebase SDK would do it."""
    response = httpx.post(
        f"http://127.0.0.1:{config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key",
        json={"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": "a-long-password", "returnSecureToken": True},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["idToken"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def stream_story(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> list[ServerSentEvent]:
    headers = {**bearer(token), "Accept": "text/event-stream"}
    async with client.stream("POST", "/v1/stories", json=body, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        return [event async for event in iter_events(response.aiter_lines())]


def completed_story(events: list[ServerSentEvent]) -> dict[str, Any]:
    """The Story of `story.completed` (pictures may follow it as `story.image` events)."""
    story: dict[str, Any] = next(event for event in events if event.event == "story.completed").json()["story"]
    return story


async def post_photo_story(
    client: httpx.AsyncClient, token: str, fields: dict[str, str], photo: bytes, filename: str = "photo.jpg"
) -> tuple[int, list[ServerSentEvent], dict[str, Any] | None]:
    """Image & Prompt mode as a browser sends it (multipart/form-data): the status, the events, or the error."""
    headers = {**bearer(token), "Accept": "text/event-stream"}
    files = {"image": (filename, photo, "application/octet-stream")}
    async with client.stream("POST", "/v1/stories", data=fields, files=files, headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            return response.status_code, [], response.json()["error"]
        return 200, [event async for event in iter_events(response.aiter_lines())], None
