"""Each public path reaches the service that owns it, with an internal token addressed to that service."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import jwt
import pytest
from storyscape_devtools.testing import LiveServer

from gateway.routing import service_for

ROUTES = [
    ("POST", "/v1/stories", "story-service"),
    ("GET", "/v1/stories", "history-service"),
    ("GET", "/v1/stories/search", "history-service"),
    ("DELETE", "/v1/stories", "history-service"),
    ("GET", "/v1/stories/s-1", "history-service"),
    ("PUT", "/v1/stories/s-1/favorite", "history-service"),
    ("POST", "/v1/stories/s-1/audio", "media-service"),
    ("GET", "/v1/stories/s-1/audio", "media-service"),
    ("GET", "/v1/stories/s-1/audio/extra", "history-service"),
    ("GET", "/v1/favorites", "history-service"),
    ("GET", "/v1/catalog", "prompt-service"),
    ("PUT", "/v1/me/settings", "prompt-service"),
    ("POST", "/v1/genres", "prompt-service"),
    ("DELETE", "/v1/genres/g-1", "prompt-service"),
    ("GET", "/v1/prompts/suggestions", "prompt-service"),
    ("DELETE", "/v1/prompts/saved", "prompt-service"),
    ("GET", "/v1/media/jobs/j-1", "media-service"),
]


@pytest.mark.parametrize(("method", "path", "service"), ROUTES)
async def test_each_path_reaches_its_service(
    gateway: LiveServer, bearer: Callable[..., dict[str, str]], method: str, path: str, service: str
) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.request(method, path, headers=bearer("uid-route"))

    assert response.status_code == 200
    seen = response.json()
    assert (seen["service"], seen["method"], seen["raw_path"], seen["user_id"]) == (service, method, path, "uid-route")
    assert jwt.decode(seen["token"], options={"verify_signature": False})["aud"] == service


@pytest.mark.parametrize(
    "path",
    [
        "/v1/home",
        "/v1/storiesx",
        "/v1/me",
        "/v1/prompts",
        "/v1/media",
        "/v1/internal/stories",
        "/v1",
        "/v1/stories/../../internal/stories",
        "/v1/genres/%2e%2e/x",
    ],
)
def test_paths_outside_the_table_have_no_service(path: str) -> None:
    assert service_for(method="GET", path=path) is None
