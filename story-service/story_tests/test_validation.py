"""Bad story requests get a clear 422 in the API error shape, before any model is called."""

from __future__ import annotations

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys

from story_tests.conftest import Neighbours
from story_tests.utils.sse_client import user_headers


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x" * 2001}, "prompt"),
        ({}, "prompt"),
        ({"prompt": "a fox", "language": "fr"}, "language"),
        ({"prompt": "a fox", "age_group": "1-2"}, "age_group"),
        ({"prompt": "a fox", "genres": [f"g{i}" for i in range(11)]}, "genres"),
        ({"prompt": "a fox", "genres": [""]}, "genres"),
    ],
)
async def test_bad_requests_are_refused(
    story_service: LiveServer, neighbours: Neighbours, keys: TestKeys, body: dict[str, object], field: str
) -> None:
    tokens_before = neighbours.tokens_generated()
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{story_service.url}/v1/stories", json=body, headers=user_headers(keys, "u"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and field in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    assert neighbours.tokens_generated() == tokens_before


async def test_a_prompt_is_trimmed_and_2000_characters_are_accepted(story_service: LiveServer, keys: TestKeys) -> None:
    from story_tests.utils.sse_client import collect_story

    events = await collect_story(
        story_service.url, keys, user_id="trim", body={"prompt": "  " + "y" * 2000 + "  ", "language": "en", "age_group": "9-12"}
    )
    assert events[-1].json()["story"]["prompt"] == "y" * 2000
