"""Image & Prompt mode through the gateway: the multipart body reaches story-service untouched, media-service
checks and describes the photo, and the Story keeps what was understood; bad and unsafe input is refused."""

from __future__ import annotations

from pathlib import Path

import httpx
from storyscape_devtools.devstack import StackConfig

from gateway_tests.e2e.client import bearer, completed_story, post_photo_story, sign_up

MEDIA_DATA = Path(__file__).resolve().parents[3] / "media-service" / "media_tests" / "data"


async def test_a_photo_and_a_prompt_write_an_image_prompt_story(stack: StackConfig) -> None:
    user = sign_up(stack)
    photo = (MEDIA_DATA / "chelsea_cat_cc0.jpg").read_bytes()
    fields = {"prompt": "The cat goes on an adventure", "language": "en", "age_group": "6-8", "genres": "animals"}
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=180) as client:
        status, events, error = await post_photo_story(client, user, fields, photo)
        assert status == 200, error
        assert events[0].json()["mode"] == "image_prompt" and "story.completed" in [e.event for e in events], events
        story = completed_story(events)
        assert story["mode"] == "image_prompt" and story["image_description"]
        fetched = (await client.get(f"/v1/stories/{story['id']}", headers=bearer(user))).json()
        assert fetched["image_description"] == story["image_description"]
        # The photo comes back on every later read, with a URL signed then, and it is the cleaned JPEG.
        listed = (await client.get("/v1/stories", headers=bearer(user))).json()["groups"][0]["stories"][0]
        for read in (fetched, listed):
            assert read["source_image"] and read["source_image"]["url"], read
            source = await client.get(read["source_image"]["url"])
            assert source.status_code == 200 and source.content[:3] == b"\xff\xd8\xff"


async def test_a_renamed_text_file_and_an_unsafe_prompt_are_refused_and_nothing_is_saved(stack: StackConfig) -> None:
    user = sign_up(stack)
    photo = (MEDIA_DATA / "chelsea_cat_cc0.jpg").read_bytes()
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=60) as client:
        status, _, error = await post_photo_story(client, user, {"prompt": "A cat", "language": "en"}, b"not a photo\n", "cat.png")
        assert (status, error and error["code"]) == (415, "unsupported_media_type")
        unsafe = {"prompt": "मैं तुझे जान से मार डालूँगा", "language": "hi"}
        status, _, error = await post_photo_story(client, user, unsafe, photo)
        assert (status, error and error["code"]) == (422, "content_blocked")
        assert (await client.get("/v1/stories", headers=bearer(user))).json()["groups"] == []
