"""What the gateway refuses at the edge: oversized bodies (declared or chunked) and paths that hide what they name."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from storyscape_devtools.testing import LiveServer

from gateway_tests.conftest import Upstream

Bearer = Callable[..., dict[str, str]]
KIB = 1024
MIB = 1024 * KIB


def chunked(total: int, piece: int = 8 * KIB) -> Callable[[], AsyncIterator[bytes]]:
    """A body sent with `Transfer-Encoding: chunked` (no length declared up front)."""

    async def body() -> AsyncIterator[bytes]:
        sent = 0
        while sent < total:
            size = min(piece, total - sent)
            sent += size
            yield b"x" * size
            await asyncio.sleep(0)

    return body


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["x-request-id"]  # a refusal at the edge can be traced like any other answer


async def test_an_oversized_json_body_is_refused_before_the_upstream_sees_it(
    gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Bearer
) -> None:
    probe_id = uuid.uuid4().hex
    body = json.dumps({"text": "x" * (64 * KIB)})
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        response = await client.put("/v1/me/settings", params={"probe": probe_id}, content=body, headers=bearer())

    assert_too_large(response)
    assert upstreams["prompt-service"].probes.get(probe_id).hits == 0


async def test_an_oversized_chunked_body_is_refused_before_the_upstream_sees_any_of_it(
    gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Bearer
) -> None:
    probe_id = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        response = await client.post("/v1/favorites/upload", params={"probe": probe_id}, content=chunked(200 * KIB)(), headers=bearer())

    assert_too_large(response)
    probe = upstreams["history-service"].probes.get(probe_id)
    assert probe.hits == 0
    assert not probe.first_chunk_received.is_set()


async def test_a_chunked_body_within_the_limit_arrives_whole_with_its_length(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        response = await client.post("/v1/genres", content=chunked(40 * KIB, piece=5000)(), headers=bearer())

    assert response.status_code == 200
    seen = response.json()
    assert seen["body"] == "x" * (40 * KIB)
    assert seen["headers"]["content-length"] == str(40 * KIB)
    assert "transfer-encoding" not in seen["headers"]


async def test_a_story_may_carry_a_photo_up_to_the_multipart_limit(gateway: LiveServer, bearer: Bearer) -> None:
    photo = b"p" * (2 * MIB)  # text, so the stand-in upstream can echo it back
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        response = await client.post("/v1/stories", data={"prompt": "a boat"}, files={"image": ("boat.jpg", photo)}, headers=bearer())

    assert response.status_code == 200
    seen = response.json()
    assert seen["service"] == "story-service"
    assert photo.decode() in seen["body"]


async def test_a_json_story_keeps_the_json_limit(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        response = await client.post("/v1/stories", json={"prompt": "x" * (100 * KIB)}, headers=bearer())
    assert_too_large(response)


def raw_exchange(url: str, request: bytes, *, timeout: float = 5.0) -> bytes:
    """Send `request` on a fresh socket and read until the server closes it or `timeout` passes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and b'"error"' in received:
                break
        return received


async def test_a_declared_length_over_the_multipart_limit_is_refused_before_the_body_is_sent(gateway: LiveServer, bearer: Bearer) -> None:
    headers = "".join(f"{name}: {value}\r\n" for name, value in bearer().items())
    request = (
        "POST /v1/stories HTTP/1.1\r\nHost: gateway\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {11 * MIB}\r\n{headers}\r\n"
    ).encode()
    answer = await asyncio.to_thread(raw_exchange, gateway.url, request)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"payload_too_large"' in answer


@pytest.mark.parametrize("path", ["/%6detrics", "/%6D%65trics", "/readyz%2E", "/v1/cat%61log", "/v1/%2e%2e/metrics"])
async def test_percent_encoded_letters_and_dots_are_refused(gateway: LiveServer, bearer: Bearer, path: str) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get(path, headers={**bearer(), "X-Request-ID": "edge-probe-1"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_path"
    assert response.headers["x-request-id"] == "edge-probe-1"


async def test_encodings_that_paths_need_still_pass(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/v1/stories/a%20b%2Fc", params={"q": "%6d"}, headers=bearer())
    assert response.status_code == 200
    assert response.json()["raw_path"] == "/v1/stories/a%20b%2Fc"
