"""`GET /v1/media/objects/{key}`: the local store's signed links, served by media-service with no internal token."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from media_service.storage import LocalObjectStore, create_object_store
from media_service.storage.signing import UrlSigner
from media_tests.utils.live import LocalMediaServer
from media_tests.utils.urls import query_of, tampered_signature, with_query


@pytest.fixture
async def store(local_media_server: LocalMediaServer) -> LocalObjectStore:
    """The same directory and secret as the live app."""
    local = create_object_store(local_media_server.settings)
    assert isinstance(local, LocalObjectStore)
    await local.put("stories/1/cover.png", b"\x89PNG cover", content_type="image/png")
    return local


@pytest.fixture
async def client(local_media_server: LocalMediaServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=local_media_server.url) as http:
        yield http


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    assert b"PNG" not in response.content


async def test_signed_link_serves_the_object_without_an_internal_token(store: LocalObjectStore, client: httpx.AsyncClient) -> None:
    url = await store.url("stories/1/cover.png", expires_in=600)
    assert url.startswith(f"{client.base_url}/v1/media/objects/stories/1/cover.png?")
    response = await client.get(url)
    assert response.status_code == 200
    assert response.content == b"\x89PNG cover"
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"].startswith("private, max-age=")
    assert 590 <= int(response.headers["cache-control"].rsplit("=", 1)[1]) <= 600


async def test_expired_link_is_403(store: LocalObjectStore, client: httpx.AsyncClient, local_media_server: LocalMediaServer) -> None:
    signer = UrlSigner(secret=local_media_server.settings.url_signing_secret)
    expired = int(time.time()) - 1
    signature = signer.signature(key="stories/1/cover.png", expires=expired)
    response = await client.get("/v1/media/objects/stories/1/cover.png", params={"expires": expired, "signature": signature})
    assert_error(response, 403, "forbidden")
    assert response.json()["error"]["message"] == "link expired"


async def test_tampered_links_are_403(store: LocalObjectStore, client: httpx.AsyncClient) -> None:
    url = await store.url("stories/1/cover.png", expires_in=600)
    later = str(int(query_of(url)["expires"]) + 3600)
    for forged in (
        tampered_signature(url),
        with_query(url, expires=later),
        with_query(url, signature=""),
        with_query(url, expires="soon"),
        url.split("?")[0],
    ):
        assert_error(await client.get(forged), 403, "forbidden")


async def test_link_signed_with_another_secret_is_403(store: LocalObjectStore, client: httpx.AsyncClient) -> None:
    impostor = LocalObjectStore(root=store.root, signer=UrlSigner(secret="x" * 40), public_base_url=str(client.base_url))
    assert_error(await client.get(await impostor.url("stories/1/cover.png", expires_in=600)), 403, "forbidden")


@pytest.mark.parametrize(
    "path", ["bad%20key.png", "%2E%2E/%2E%2E/etc/passwd", "stories/%2E%2E/1/cover.png", ".hidden", "stories//1/cover.png"]
)
async def test_bad_key_is_400(store: LocalObjectStore, client: httpx.AsyncClient, path: str) -> None:
    url = await store.url("stories/1/cover.png", expires_in=600)
    response = await client.get(f"/v1/media/objects/{path}?{url.split('?')[1]}")
    assert_error(response, 400, "invalid_request")


async def test_missing_object_is_404(store: LocalObjectStore, client: httpx.AsyncClient) -> None:
    url = await store.url("stories/1/missing.png", expires_in=600)
    assert_error(await client.get(url), 404, "not_found")


async def test_only_the_objects_route_is_open(client: httpx.AsyncClient) -> None:
    for path in ("/v1/media/objectsX", "/v1/media/jobs", "/v1/media"):
        assert_error(await client.get(path), 401, "unauthenticated")
