"""What the gateway refuses at the edge: unauthenticated uploads before their body is read, bodies over their limit
(declared or counted as they arrive) or late past their deadline, and paths that hide what they name."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from storyscape_devtools.testing import LiveServer

from gateway.edge import LINGER_QUIET_SECONDS, LINGER_SECONDS
from gateway_tests.conftest import GatewayFactory, Upstream

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


async def test_an_oversized_chunked_body_is_refused_and_no_service_gets_all_of_it(
    gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Bearer
) -> None:
    probe_id = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        response = await client.post("/v1/genres", params={"probe": probe_id}, content=chunked(200 * KIB)(), headers=bearer())

    assert_too_large(response)
    assert response.headers["connection"] == "close"
    # The start streamed on (the gateway holds no body back); the service saw it break off, never a whole body.
    probe = upstreams["prompt-service"].probes.get(probe_id)
    assert not await asyncio.to_thread(probe.body_complete.wait, 1.0)


async def test_a_chunked_body_within_the_limit_arrives_whole(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        response = await client.post("/v1/genres", content=chunked(40 * KIB, piece=5000)(), headers=bearer())

    assert response.status_code == 200
    assert response.json()["body"] == "x" * (40 * KIB)


async def test_a_chunked_multipart_body_is_counted_as_it_arrives(
    make_gateway: GatewayFactory, upstreams: dict[str, Upstream], bearer: Bearer
) -> None:
    probe_id = uuid.uuid4().hex
    headers = {**bearer(), "Content-Type": "multipart/form-data; boundary=b"}
    with make_gateway(max_multipart_body_bytes=256 * KIB) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            within = await client.post("/v1/stories", content=chunked(200 * KIB)(), headers=headers)
            over = await client.post("/v1/stories", params={"probe": probe_id}, content=chunked(300 * KIB)(), headers=headers)

    assert within.status_code == 200
    assert within.json()["bytes"] == 200 * KIB
    assert_too_large(over)
    assert not await asyncio.to_thread(upstreams["story-service"].probes.get(probe_id).body_complete.wait, 1.0)


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
        response = await client.get("/v1/stories/a%20b%C3%A9", params={"q": "%6d"}, headers=bearer())
    assert response.status_code == 200
    assert response.json()["raw_path"] == "/v1/stories/a%20b%C3%A9"


def read_answer(sock: socket.socket, *, seconds: float) -> tuple[bytes, bool]:
    """Everything the server sends within `seconds`, and whether it then closed the connection."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return received, False
    return received, True


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(
    gateway: LiveServer, upstreams: dict[str, Upstream], framing: str
) -> None:
    probe_id = uuid.uuid4().hex
    length = f"Content-Length: {5 * MIB}" if framing == "content-length" else "Transfer-Encoding: chunked"
    head = (
        f"POST /v1/stories?probe={probe_id} HTTP/1.1\r\nHost: gateway\r\nContent-Type: multipart/form-data; boundary=b\r\n{length}\r\n\r\n"
    ).encode()
    start = b'--b\r\nContent-Disposition: form-data; name="image"; filename="p.jpg"\r\n\r\n' + b"p" * (64 * KIB)
    if framing == "chunked":
        start = f"{len(start):x}\r\n".encode() + start + b"\r\n"
    host, port = gateway.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head + start)  # and never the rest: the answer must not wait for it
        answer, closed = read_answer(sock, seconds=5)

    assert answer.startswith(b"HTTP/1.1 401 ")
    assert b'"unauthenticated"' in answer
    assert b"connection: close" in answer.lower()
    assert closed, "the gateway kept the connection open to read the rest of the body"
    assert upstreams["story-service"].probes.get(probe_id).hits == 0


@pytest.mark.parametrize("pace", ["stalled", "trickling"])
async def test_a_body_that_does_not_arrive_within_the_deadline_is_dropped(
    make_gateway: GatewayFactory, upstreams: dict[str, Upstream], bearer: Bearer, pace: str
) -> None:
    # The deadline is for the whole body: a chunk every 0.2 s keeps no body alive past it.
    probe_id = uuid.uuid4().hex
    headers = "".join(f"{name}: {value}\r\n" for name, value in bearer().items())
    head = f"POST /v1/genres?probe={probe_id} HTTP/1.1\r\nHost: gateway\r\n{headers}Transfer-Encoding: chunked\r\n\r\n".encode()
    with make_gateway(json_body_timeout_seconds=1.0) as gateway:
        host, port = gateway.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        started = time.monotonic()
        writer.write(head + b'5\r\n{"a":\r\n')

        async def trickle() -> None:
            with contextlib.suppress(ConnectionError):
                while pace == "trickling":
                    await asyncio.sleep(0.2)
                    writer.write(b"1\r\n \r\n")
                    await writer.drain()

        trickling = asyncio.create_task(trickle())
        head_of_answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        answered_after = time.monotonic() - started
        length = int(next(line for line in head_of_answer.lower().split(b"\r\n") if line.startswith(b"content-length:")).split(b":")[1])
        error = json.loads(await reader.readexactly(length))["error"]
        # Then the connection closes: once the client goes quiet, or after the linger time if it keeps sending.
        await asyncio.wait_for(reader.read(), timeout=LINGER_SECONDS + 2)
        closed_after = time.monotonic() - started
        trickling.cancel()
        writer.close()

    assert head_of_answer.startswith(b"HTTP/1.1 408 ") and b"connection: close" in head_of_answer.lower()
    assert error["code"] == "request_timeout"
    assert 0.9 < answered_after < 2.5
    assert closed_after < answered_after + (LINGER_QUIET_SECONDS if pace == "stalled" else LINGER_SECONDS) + 1.0
    probe = upstreams["prompt-service"].probes.get(probe_id)
    assert probe.first_chunk_received.is_set() and not probe.body_complete.is_set()
