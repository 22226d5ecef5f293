"""After `story.completed` the stream stays open for the story's two pictures (`story.image`), from media-service."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from storyscape_devtools.testing import LiveServer, TestKeys

from story_tests.conftest import Neighbours
from story_tests.utils.sse_client import DEFAULT_STORY, collect_story
from story_tests.utils.stack import media_server, story_server


@pytest.fixture(scope="module")
def media(keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with media_server(keys, tmp_path_factory.mktemp("media")) as server:
        server.wait_ready()
        yield server


@pytest.fixture(scope="module")
def illustrated_story_service(keys: TestKeys, neighbours: Neighbours, media: LiveServer) -> Iterator[LiveServer]:
    with story_server(
        keys, history_url=neighbours.history.url, llm_url=neighbours.llm.url, media_url=media.url, illustration_deadline_seconds=60
    ) as server:
        yield server


async def fetch_picture(url: str) -> Image.Image:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    picture = Image.open(io.BytesIO(response.content))
    picture.load()
    return picture


async def story_media(media: LiveServer, keys: TestKeys, story_id: str, user_id: str) -> httpx.Response:
    headers = keys.bearer(user_id=user_id, audience="media-service", issuer="history-service")
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(f"{media.url}/internal/stories/{story_id}/media", headers=headers)


@pytest.mark.parametrize(("ai_images", "kind"), [(True, "ai"), (False, "neutral")])
async def test_two_pictures_follow_the_completed_story(
    illustrated_story_service: LiveServer, media: LiveServer, keys: TestKeys, ai_images: bool, kind: str
) -> None:
    body = DEFAULT_STORY | {"ai_images": ai_images}
    events = await collect_story(illustrated_story_service.url, keys, user_id="iris", body=body)
    names = [event.event for event in events]
    completed = names.index("story.completed")
    assert names[completed + 1 :] == ["story.image", "story.image"]
    story_id = events[completed].json()["story"]["id"]
    images = [event.json() for event in events[completed + 1 :]]
    assert sorted(image["index"] for image in images) == [0, 1]
    for image in images:
        assert image["story_id"] == story_id and image["caption"]
        picture = await fetch_picture(image["url"])
        assert max(picture.size) >= 768

    held = await story_media(media, keys, story_id, "iris")
    assert held.status_code == 200
    assert [image["kind"] for image in held.json()["images"]] == [kind, kind]
    # Another reader sees nothing of this story's pictures (media-service scopes every query by the user).
    assert (await story_media(media, keys, story_id, "mallory")).json()["images"] == []


async def test_media_service_down_still_ends_with_the_completed_story(story_service: LiveServer, keys: TestKeys) -> None:
    events = await collect_story(story_service.url, keys, user_id="iris")
    assert events[-1].event == "story.completed"
    assert "story.image" not in {event.event for event in events}
