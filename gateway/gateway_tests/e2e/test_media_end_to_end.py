"""Pictures and narration as the app meets them, through the gateway: `story.image` events after the story,
pictures on the Story read back, narration in Hindi and English, and all of it gone with the story."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import av
import httpx
from PIL import Image
from storyscape_devtools.devstack import StackConfig

from gateway_tests.e2e.client import bearer, completed_story, sign_up, stream_story

ELEPHANT = {"prompt": "A little elephant who is afraid of water", "language": "en", "age_group": "3-5", "genres": ["animals"]}
KITE_HI = {"prompt": "एक पतंग जो बादलों को छूना चाहती है", "language": "hi", "age_group": "6-8", "genres": ["adventure"]}


async def picture(client: httpx.AsyncClient, url: str) -> Image.Image:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def audio_seconds(data: bytes) -> float:
    """Decode every frame (a broken file fails) and return its length."""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        samples = sum(int(frame.samples) for frame in container.decode(stream))
        return samples / float(stream.rate or 1)


async def illustrated_story(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    events = await stream_story(client, token, body)
    names = [event.event for event in events]
    after = names[names.index("story.completed") + 1 :]
    assert after == ["story.image", "story.image"], names
    return completed_story(events), [event.json() for event in events if event.event == "story.image"]


async def narration(client: httpx.AsyncClient, token: str, story_id: str) -> dict[str, Any]:
    """POST, then poll GET until the audio is ready."""
    first = await client.post(f"/v1/stories/{story_id}/audio", headers=bearer(token))
    assert first.status_code in (200, 202), first.text
    deadline = time.monotonic() + 90
    status: dict[str, Any] = first.json()
    while status["status"] == "pending" and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        status = (await client.get(f"/v1/stories/{story_id}/audio", headers=bearer(token))).json()
    assert status["status"] == "ready", status
    return status


async def test_ai_and_neutral_pictures_follow_the_story_and_are_read_back(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=120) as client:
        for ai_images, kind in ((True, "ai"), (False, "neutral")):
            story, images = await illustrated_story(client, alice, ELEPHANT | {"ai_images": ai_images})
            assert sorted(image["index"] for image in images) == [0, 1]
            assert all(image["story_id"] == story["id"] and image["caption"] for image in images)
            for image in images:
                assert max((await picture(client, image["url"])).size) >= 768

            read = (await client.get(f"/v1/stories/{story['id']}", headers=bearer(alice))).json()
            assert [(image["index"], image["kind"]) for image in read["images"]] == [(0, kind), (1, kind)]
            assert (await client.get(f"/v1/stories/{story['id']}", headers=bearer(bob))).status_code == 404


async def test_narration_in_hindi_and_english_once_then_gone_with_the_story(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=120) as client:
        for body in (ELEPHANT, KITE_HI):
            story, images = await illustrated_story(client, alice, body)
            # Another reader can neither ask for nor read this story's narration.
            assert (await client.post(f"/v1/stories/{story['id']}/audio", headers=bearer(bob))).status_code == 404
            ready = await narration(client, alice, story["id"])
            assert (await client.get(f"/v1/stories/{story['id']}/audio", headers=bearer(bob))).status_code == 404
            again = await client.post(f"/v1/stories/{story['id']}/audio", headers=bearer(alice))
            assert again.status_code == 200 and again.json()["url"].split("?")[0] == ready["url"].split("?")[0]

            audio = await client.get(ready["url"])
            assert audio.status_code == 200
            assert audio_seconds(audio.content) > 1.0 and abs(audio_seconds(audio.content) - ready["duration_s"]) < 0.5
            read = (await client.get(f"/v1/stories/{story['id']}", headers=bearer(alice))).json()
            assert read["audio"]["url"].split("?")[0] == ready["url"].split("?")[0]

            assert (await client.delete(f"/v1/stories/{story['id']}", headers=bearer(alice))).status_code == 204
            urls = [ready["url"], *(image["url"] for image in images)]
            deadline = time.monotonic() + 30
            # Deletion reaches media-service through history-service's outbox: poll the objects themselves.
            while 200 in [(await client.get(url)).status_code for url in urls] and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.5)
            assert [(await client.get(url)).status_code for url in urls] == [404, 404, 404]
