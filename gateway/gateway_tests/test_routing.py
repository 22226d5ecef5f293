"""Each public path reaches the service that owns it, with an internal token addressed to that service; a path that
is not exactly a public route is 404 at the gateway and reaches no service."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import jwt
import pytest
from storyscape_devtools.testing import LiveServer

from gateway.routing import PublicRoutes
from gateway_tests.conftest import Upstream

ROUTES = [
    ("POST", "/v1/stories", "story-service"),
    ("GET", "/v1/stories", "history-service"),
    ("GET", "/v1/stories/search", "history-service"),
    ("DELETE", "/v1/stories", "history-service"),
    ("GET", "/v1/stories/s-1", "history-service"),
    ("PUT", "/v1/stories/s-1/favorite", "history-service"),
    ("POST", "/v1/stories/s-1/audio", "media-service"),
    ("GET", "/v1/stories/s-1/audio", "media-service"),
    ("GET", "/v1/favorites", "history-service"),
    ("GET", "/v1/catalog", "prompt-service"),
    ("PUT", "/v1/me/settings", "prompt-service"),
    ("POST", "/v1/genres", "prompt-service"),
    ("DELETE", "/v1/genres/g-1", "prompt-service"),
    ("GET", "/v1/prompts/suggestions", "prompt-service"),
    ("DELETE", "/v1/prompts/saved", "prompt-service"),
    ("DELETE", "/v1/prompts/saved/p-1", "prompt-service"),
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


NEAR_MISSES = [
    ("POST", "/v1/stories/"),
    ("GET", "/v1/stories/"),
    ("GET", "/v1/favorites/"),
    ("GET", "/v1/stories/s-1/"),
    ("GET", "/v1/stories//favorite"),
    ("GET", "/v1/stories/s-1/audio/extra"),
    ("GET", "/v1/storiesx"),
    ("DELETE", "/v1/me/"),
    ("GET", "/v1/me/settings/"),
    ("GET", "/v1/prompts"),
    ("GET", "/v1/media/jobs/j-1"),
    ("GET", "/v1/internal/stories"),
    ("GET", "/v1/stories/../../internal/stories"),
    ("GET", "/v1/genres/%2e%2e/x"),
]


@pytest.mark.parametrize(("method", "path"), NEAR_MISSES)
def test_paths_that_are_not_exactly_a_public_route_have_no_service(method: str, path: str) -> None:
    assert not PublicRoutes.load().resolve(method=method, path=path).found


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in NEAR_MISSES if "%" not in p and ".." not in p])
async def test_near_misses_are_404_at_the_gateway_and_reach_no_service(
    gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Callable[..., dict[str, str]], method: str, path: str
) -> None:
    probe_id = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        signed_in = await client.request(method, path, params={"probe": probe_id}, json={"prompt": "a fox"}, headers=bearer())
        anonymous = await client.request(method, path, params={"probe": probe_id}, json={"prompt": "a fox"})

    for response in (signed_in, anonymous):
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "not_found", "message": "no such path", "request_id": response.headers["x-request-id"]}
        }
        assert "location" not in response.headers
    assert [upstream.probes.get(probe_id).hits for upstream in upstreams.values()] == [0, 0, 0, 0]


async def test_a_public_path_with_a_method_it_does_not_take_is_405(gateway: LiveServer, upstreams: dict[str, Upstream]) -> None:
    probe_id = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.patch("/v1/stories", params={"probe": probe_id}, json={})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response.headers["allow"] == "DELETE, GET, POST"
    assert [upstream.probes.get(probe_id).hits for upstream in upstreams.values()] == [0, 0, 0, 0]


@pytest.mark.parametrize("path", ["/healthz/", "/readyz/", "/docs/", "/v1/home/"])
async def test_the_gateway_redirects_no_near_miss_of_its_own_routes(gateway: LiveServer, path: str) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_only_operations_the_document_marks_open_skip_the_token() -> None:
    routes = PublicRoutes(
        {
            "paths": {
                "/v1/things/{id}": {"get": {"security": []}, "delete": {}},
                "/v1/things/mine": {"get": {}},
                "/v1/media/objects/{key}": {"get": {"security": []}},
            }
        }
    )
    assert routes.resolve(method="GET", path="/v1/things/t-1").needs_token is False
    assert routes.resolve(method="DELETE", path="/v1/things/t-1").needs_token is True
    # `/v1/things/mine` is both a closed route and an instance of the open one: closed wins.
    assert routes.resolve(method="GET", path="/v1/things/mine").needs_token is True
    assert routes.resolve(method="GET", path="/v1/media/objects/stories/s1/0.png").needs_token is False
