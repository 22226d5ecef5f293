"""A story streams token by token and is in history before `story.completed` arrives."""

from __future__ import annotations

import unicodedata

import httpx
from storyscape_devtools.testing import LiveServer, TestKeys

from story_tests.conftest import Neighbours
from story_tests.utils.sse_client import collect_story, story_text, user_headers
from story_tests.utils.stack import TINY_MODEL


async def test_events_arrive_in_order_and_the_story_is_saved(story_service: LiveServer, neighbours: Neighbours, keys: TestKeys) -> None:
    events = await collect_story(story_service.url, keys, user_id="alice")
    names = [event.event for event in events]
    assert names[0] == "story.started" and names[-1] == "story.completed"
    # Text is released one moderated sentence at a time; tiny-llama's random tokens rarely end one.
    assert set(names[1:-1]) == {"story.delta"} and len(names) >= 3

    started, story = events[0].json(), events[-1].json()["story"]
    assert started["mode"] == "prompt" and started["language"] == "en" and started["model"] == TINY_MODEL
    assert story["id"] == started["story_id"]
    # Pieces are NFC-normalised one by one; a combining mark starting a piece may compose across the join.
    assert story["text"] == unicodedata.normalize("NFC", story_text(events)).strip() and story["title"]
    assert story["prompt"] == "A little elephant who is afraid of water"
    assert (story["age_group"], story["genres"], story["images"], story["audio"]) == ("3-5", ["animals"], [], None)

    async with httpx.AsyncClient() as client:
        saved = await client.get(
            f"{neighbours.history.url}/v1/stories/{story['id']}", headers=user_headers(keys, "alice", "history-service")
        )
        other = await client.get(
            f"{neighbours.history.url}/v1/stories/{story['id']}", headers=user_headers(keys, "mallory", "history-service")
        )
    assert saved.status_code == 200 and saved.json()["text"] == story["text"]
    assert other.status_code == 404


async def test_hindi_stories_go_to_the_hindi_model(story_service: LiveServer, keys: TestKeys) -> None:
    events = await collect_story(
        story_service.url,
        keys,
        user_id="asha",
        body={"prompt": "एक छोटी चिड़िया जो उड़ना सीखती है", "language": "hi", "age_group": "6-8", "genres": ["nature"]},
    )
    assert events[0].json()["language"] == "hi" and events[0].json()["model"] == TINY_MODEL
    assert events[-1].json()["story"]["language"] == "hi"


async def test_a_missing_internal_token_is_refused(story_service: LiveServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{story_service.url}/v1/stories", json={"prompt": "a fox"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"
