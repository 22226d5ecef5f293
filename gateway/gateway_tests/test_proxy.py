"""The gateway relays requests and streams both ways without buffering, and reports upstream failures in our shape."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, free_port

from gateway_tests.conftest import GatewayFactory, Upstream
from gateway_tests.utils.upstream_app import Probe
from storyscape_common.sse import ServerSentEvent, iter_events

Bearer = Callable[..., dict[str, str]]


def new_probe(upstream: Upstream) -> tuple[str, Probe]:
    probe_id = uuid.uuid4().hex
    return probe_id, upstream.probes.get(probe_id)


async def wait_for(event: threading.Event, seconds: float = 5.0) -> bool:
    """Wait for an event set in the upstream's thread without blocking this loop."""
    return await asyncio.to_thread(event.wait, seconds)


async def test_sse_events_arrive_one_by_one(gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Bearer) -> None:
    probe_id, probe = new_probe(upstreams["history-service"])
    received: list[ServerSentEvent] = []
    async with (
        httpx.AsyncClient(base_url=gateway.url, timeout=10) as client,
        client.stream("GET", "/v1/stories/events", params={"probe": probe_id, "scenario": "handshake"}, headers=bearer()) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for event in iter_events(response.aiter_lines()):
            received.append(event)
            if len(received) == 1:
                # The upstream holds its remaining events until we release it: the first one came through alone.
                assert not probe.sent_last.is_set()
                probe.release.set()

    assert [event.json()["text"] for event in received] == ["one", "two", "three"]
    assert [event.event for event in received] == ["story.delta", "story.delta", "story.completed"]


async def hang_up_after_first_event(gateway_url: str, upstream: Upstream, bearer: Bearer) -> Probe:
    probe_id, probe = new_probe(upstream)
    async with (
        httpx.AsyncClient(base_url=gateway_url, timeout=10) as client,
        client.stream("GET", "/v1/stories/events", params={"probe": probe_id, "scenario": "forever"}, headers=bearer()) as response,
    ):
        async for _ in iter_events(response.aiter_lines()):
            break  # read one event, then hang up while the upstream is idle (a model still thinking)
    return probe


async def test_client_disconnect_closes_the_upstream_stream(gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Bearer) -> None:
    probe = await hang_up_after_first_event(gateway.url, upstreams["history-service"], bearer)
    assert await wait_for(probe.stream_closed), "the upstream generator never saw the client leave"
    assert not probe.sent_last.is_set()


async def test_client_disconnect_closes_the_upstream_under_asgi_2_4_too(
    make_gateway: GatewayFactory, upstreams: dict[str, Upstream], bearer: Bearer
) -> None:
    # ASGI 2.4 servers report a disconnect only when a write fails; an idle stream must still be closed at once.
    with make_gateway(asgi_spec_version="2.4") as gateway:
        probe = await hang_up_after_first_event(gateway.url, upstreams["history-service"], bearer)
        assert await wait_for(probe.stream_closed), "the upstream generator never saw the client leave"


async def test_an_upstream_that_breaks_mid_stream_ends_with_an_error_event(
    gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Bearer
) -> None:
    probe_id, _ = new_probe(upstreams["history-service"])
    async with (
        httpx.AsyncClient(base_url=gateway.url, timeout=10) as client,
        client.stream("GET", "/v1/stories/events", params={"probe": probe_id, "scenario": "break"}, headers=bearer()) as response,
    ):
        received = [event async for event in iter_events(response.aiter_lines())]

    assert [event.event for event in received] == ["story.delta", "error"]
    assert received[1].json()["code"] == "upstream_unavailable"


@pytest.mark.parametrize("declared_length", [True, False], ids=["content-length", "chunked"])
async def test_request_bodies_stream_up_as_they_are_sent(
    gateway: LiveServer, upstreams: dict[str, Upstream], bearer: Bearer, declared_length: bool
) -> None:
    # The gateway holds no body back, chunked or not: the service reads the start while the client still sends.
    probe_id, probe = new_probe(upstreams["prompt-service"])
    first_chunk_arrived_before_we_finished: list[bool] = []

    async def body() -> AsyncIterator[bytes]:
        yield b"a" * 1000
        first_chunk_arrived_before_we_finished.append(await wait_for(probe.first_chunk_received))
        yield b"b" * 500

    headers = {**bearer(), **({"Content-Length": "1500"} if declared_length else {})}
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        response = await client.post("/v1/genres", params={"probe": probe_id}, content=body(), headers=headers)

    assert response.status_code == 200
    assert response.json()["body"] == "a" * 1000 + "b" * 500
    assert first_chunk_arrived_before_we_finished == [True]


async def test_bodies_query_and_request_id_are_forwarded(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.put(
            "/v1/me/settings?tz=Asia%2FKolkata&x=1&x=2",
            json={"language": "hi"},
            headers={**bearer("uid-7"), "X-Request-ID": "req-forward-1"},
        )

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-forward-1"
    seen = response.json()
    assert (seen["service"], seen["method"], seen["raw_path"]) == ("prompt-service", "PUT", "/v1/me/settings")
    assert seen["query"] == "tz=Asia%2FKolkata&x=1&x=2"
    assert seen["body"] == '{"language":"hi"}'
    assert seen["headers"]["x-request-id"] == "req-forward-1"
    assert seen["request_id"] == "req-forward-1"


async def test_a_request_id_is_made_when_the_client_sends_none(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/v1/genres", headers=bearer())
    assert response.headers["x-request-id"]
    assert response.json()["headers"]["x-request-id"] == response.headers["x-request-id"]


async def test_hop_by_hop_headers_and_client_credentials_are_not_forwarded(gateway: LiveServer, bearer: Bearer) -> None:
    headers = {
        **bearer(),
        "Connection": "keep-alive, X-Hop-Secret",
        "X-Hop-Secret": "only-for-the-first-hop",
        "Keep-Alive": "timeout=5",
        "TE": "trailers",
        "Proxy-Authorization": "Basic cHJveHk6cHc=",
        "Cookie": "session=abc",
        "Idempotency-Key": "idem-1",
    }
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/v1/favorites", headers=headers)

    seen = response.json()["headers"]
    for name in ("x-hop-secret", "keep-alive", "te", "proxy-authorization", "cookie"):
        assert name not in seen, name
    assert seen["authorization"] != headers["Authorization"]
    assert seen["authorization"] == f"Bearer {response.json()['token']}"
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["idempotency-key"] == "idem-1"


async def test_upstream_errors_pass_through_unchanged(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.delete("/v1/genres/missing", headers={**bearer(), "X-Request-ID": "req-404"})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "genre not found", "request_id": "req-404"}}


async def test_signed_media_urls_need_no_token_and_carry_no_identity(gateway: LiveServer, upstreams: dict[str, Upstream]) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/v1/media/objects/stories/s1/0.png?expires=1&signature=abc")
    assert response.status_code == 200
    seen = response.json()
    assert (seen["service"], seen["object"]) == ("media-service", "stories/s1/0.png")
    assert "authorization" not in seen["headers"]


async def test_dot_segments_cannot_escape_the_routing_table(gateway: LiveServer, bearer: Bearer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        escaped = await client.get("/v1/stories/%2e%2e/%2E%2E/internal/stories", headers=bearer())
        media = await client.get("/v1/media/objects/%2e%2e/%2e%2e/internal/jobs")
    # Encoded dots are refused at the edge, before routing (test_edge); either way nothing internal is reached.
    assert (escaped.status_code, escaped.json()["error"]["code"]) == (400, "invalid_path")
    assert (media.status_code, media.json()["error"]["code"]) == (400, "invalid_path")


async def test_an_unreachable_upstream_is_503(make_gateway: GatewayFactory, bearer: Bearer) -> None:
    with make_gateway(media_url=f"http://127.0.0.1:{free_port()}") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            response = await client.get("/v1/stories/s-1/audio", headers=bearer())
            ready = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert response.json()["error"]["request_id"] == response.headers["x-request-id"]
    assert ready.status_code == 503
    assert ready.json()["checks"]["media-service"].startswith("error")
    assert ready.json()["checks"]["story-service"] == "ok"


async def test_a_slow_upstream_is_504_and_sees_the_gateway_give_up(
    make_gateway: GatewayFactory, upstreams: dict[str, Upstream], bearer: Bearer
) -> None:
    probe_id, probe = new_probe(upstreams["prompt-service"])
    with make_gateway(upstream_read_timeout_seconds=0.3) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            response = await client.get("/v1/catalog", params={"probe": probe_id, "scenario": "slow"}, headers=bearer())

    assert response.status_code == 504
    assert response.json()["error"]["code"] == "upstream_timeout"
    assert await wait_for(probe.client_gone)


async def test_readiness_checks_every_upstream(gateway: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"story-service", "media-service", "prompt-service", "history-service"}
