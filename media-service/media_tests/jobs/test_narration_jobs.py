"""Narration through the public routes: produced once, playable, the same audio on a second request."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from media_tests.utils.jobs import ENGLISH_STORY, HINDI_STORY, audio_seconds, caller, new_story_id, user
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import AudioStatus, StoryText


async def poll_until_ready(http: httpx.AsyncClient, headers: dict[str, str], story_id: str) -> AudioStatus:
    for _ in range(300):
        response = await http.get(f"/v1/stories/{story_id}/audio", headers=headers)
        assert response.status_code == 200
        status = AudioStatus.model_validate(response.json())
        if status.status != "pending":
            return status
        await asyncio.sleep(0.1)
    raise AssertionError("narration never finished")


@pytest.mark.parametrize("story", [HINDI_STORY, ENGLISH_STORY], ids=["hi", "en"])
async def test_narration_is_made_once_and_plays(media: MediaClient, gateway: MediaClient, story: StoryText) -> None:
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, story, identity=caller(alice, "t"))
    headers = gateway.headers_for(caller(alice, "t"))
    http = gateway.http
    first = await http.post(f"/v1/stories/{story_id}/audio", headers=headers)
    assert first.status_code == 202 and first.json() == {"status": "pending"}

    ready = await poll_until_ready(http, headers, story_id)
    assert ready.status == "ready" and ready.url and ready.duration_s
    async with httpx.AsyncClient() as plain:
        audio = await plain.get(ready.url)
    assert audio.headers["content-type"] == "audio/mpeg"
    assert abs(audio_seconds(audio.content) - ready.duration_s) < 0.5
    assert ready.duration_s > 5  # the whole story, not a fragment

    again = await http.post(f"/v1/stories/{story_id}/audio", headers=headers)
    assert again.status_code == 200
    repeated = AudioStatus.model_validate(again.json())
    assert repeated.url and repeated.url.split("?")[0] == ready.url.split("?")[0]
    narration_jobs = [j for j in (await media.jobs(story_id, identity=caller(alice, "t"))).jobs if j.kind == "narration"]
    assert len(narration_jobs) == 1 and narration_jobs[0].attempts == 1
    assert (await media.story_media(story_id, identity=caller(alice, "t"))).audio is not None


async def test_audio_of_an_unknown_story_is_404(gateway: MediaClient) -> None:
    headers = gateway.headers_for(caller(user()))
    for method in ("POST", "GET"):
        response = await gateway.http.request(method, f"/v1/stories/{new_story_id()}/audio", headers=headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_polling_before_asking_is_404(media: MediaClient, gateway: MediaClient) -> None:
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
    response = await gateway.http.get(f"/v1/stories/{story_id}/audio", headers=gateway.headers_for(caller(alice, "t")))
    assert response.status_code == 404
