"""Relays a request to an upstream service and its response back, streaming both ways with no buffering."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping

import aiohttp
import anyio
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.upstreams import Upstream
from storyscape_common.errors import ApiError
from storyscape_common.sse import SSE_MEDIA_TYPE, encode_event

logger = logging.getLogger("gateway.proxy")

# RFC 9110 §7.6.1 connection-specific fields, plus what the gateway itself owns on each hop.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
NOT_FORWARDED_UP = HOP_BY_HOP | {"host", "authorization", "cookie", "x-request-id", "x-forwarded-for"}
# The gateway's server adds its own; the request-id middleware sets the response's X-Request-ID.
NOT_FORWARDED_DOWN = HOP_BY_HOP | {"date", "server", "x-request-id"}
# Headers aiohttp would add on its own: only the client's (and ours) go up.
NO_AUTO_HEADERS = frozenset({"Accept", "Accept-Encoding", "User-Agent", "Content-Type"})
UPSTREAM_FAILURES = (aiohttp.ClientError, asyncio.TimeoutError)


def connection_listed(headers: Mapping[str, str]) -> set[str]:
    """Fields the sender named in `Connection`: hop-by-hop for this message only."""
    return {name.strip().lower() for name in headers.get("connection", "").split(",") if name.strip()}


def upstream_headers(request: Request, *, internal_token: str | None, request_id: str) -> list[tuple[str, str]]:
    """The client's end-to-end headers (repeats kept), plus our identity, request id and the forwarding chain."""
    dropped = NOT_FORWARDED_UP | connection_listed(request.headers)
    headers = [(name, value) for name, value in request.headers.items() if name not in dropped]
    headers += [("x-forwarded-for", forwarded_for(request)), ("x-request-id", request_id)]
    if internal_token:
        headers.append(("authorization", f"Bearer {internal_token}"))
    return headers


def forwarded_for(request: Request) -> str:
    """The client chain with this hop's client appended (uvicorn already resolved it if the peer is a trusted proxy)."""
    client_host = request.client.host if request.client else "unknown"
    chain = [host.strip() for host in request.headers.get("x-forwarded-for", "").split(",") if host.strip()]
    if not chain or chain[-1] != client_host:
        chain.append(client_host)
    return ", ".join(chain)


def downstream_headers(upstream: aiohttp.ClientResponse) -> list[tuple[bytes, bytes]]:
    """The upstream's end-to-end response headers as sent (repeats such as Set-Cookie kept apart)."""
    dropped = NOT_FORWARDED_DOWN | connection_listed(upstream.headers)
    return [(name.lower(), value) for name, value in upstream.raw_headers if name.decode("latin-1").lower() not in dropped]


def upstream_target(request: Request) -> str:
    """The path and query exactly as the client encoded them."""
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: bytes = request.scope.get("query_string", b"")
    return raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


def has_body(request: Request) -> bool:
    return "transfer-encoding" in request.headers or request.headers.get("content-length", "0") != "0"


async def forward(request: Request, *, upstream: Upstream, internal_token: str | None, request_id: str) -> StreamingResponse:
    """Send the request upstream (body streamed) and answer with its status, headers and streamed body."""
    try:
        response = await upstream.session.request(
            request.method,
            URL(upstream.base_url + upstream_target(request), encoded=True),  # the path exactly as the client sent it
            headers=upstream_headers(request, internal_token=internal_token, request_id=request_id),
            data=request.stream() if has_body(request) else None,
            skip_auto_headers=NO_AUTO_HEADERS,
            allow_redirects=False,
        )
    except TimeoutError as exc:
        logger.warning("upstream timed out", extra={"fields": {"service": upstream.name, "error": type(exc).__name__}})
        raise ApiError(504, "upstream_timeout", f"{upstream.name} did not answer in time") from exc
    except aiohttp.ClientError as exc:
        logger.warning("upstream unreachable", extra={"fields": {"service": upstream.name, "error": type(exc).__name__}})
        raise ApiError(503, "upstream_unavailable", f"{upstream.name} is unavailable") from exc
    return UpstreamResponse(response, service=upstream.name)


class UpstreamResponse(StreamingResponse):
    """Streams an upstream body; when the client goes away the upstream response is closed at once."""

    def __init__(self, upstream: aiohttp.ClientResponse, *, service: str) -> None:
        self.upstream = upstream
        self.service = service
        self.is_event_stream = upstream.headers.get("content-type", "").startswith(SSE_MEDIA_TYPE)
        super().__init__(self.relay(), status_code=upstream.status)
        self.raw_headers = downstream_headers(upstream)

    async def relay(self) -> AsyncIterator[bytes]:
        """Raw upstream bytes as they arrive; a broken event stream ends with an in-band `error` event."""
        at_frame_boundary = True
        try:
            async for chunk in self.upstream.content.iter_any():
                if chunk:
                    at_frame_boundary = chunk.endswith(b"\n\n")
                    yield chunk
        except UPSTREAM_FAILURES as exc:
            fields = {"service": self.service, "error": type(exc).__name__}
            logger.warning("upstream broke off", extra={"fields": fields})
            # Only whole frames can be followed by another; a half-sent frame is left for the client to drop.
            if self.is_event_stream and at_frame_boundary:
                timed_out = isinstance(exc, asyncio.TimeoutError)
                code = "upstream_timeout" if timed_out else "upstream_unavailable"
                yield encode_event("error", {"code": code, "message": f"{self.service} stopped responding"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if self.may_idle():
                await self.stream_watching_for_disconnect(receive, send)
            else:
                await self.stream_response(send)
        except OSError:
            pass  # the client went away mid-write (servers speaking ASGI 2.4 report it so)
        finally:
            # Closes the connection if the body was not read to its end; after a full read it is back in the pool.
            self.upstream.close()

    def may_idle(self) -> bool:
        """An event stream or a body of unknown length can go quiet for long; a sized one is sent straight off."""
        return self.is_event_stream or "content-length" not in self.upstream.headers

    async def stream_watching_for_disconnect(self, receive: Receive, send: Send) -> None:
        # Whatever ASGI version the server speaks, watch for the disconnect ourselves: an idle stream (the model
        # still thinking) would otherwise only notice on its next write. Small sized bodies skip this extra task.
        async with anyio.create_task_group() as task_group:

            async def stream_then_stop() -> None:
                try:
                    await self.stream_response(send)
                except OSError:
                    pass
                task_group.cancel_scope.cancel()

            task_group.start_soon(stream_then_stop)
            await self.listen_for_disconnect(receive)
            task_group.cancel_scope.cancel()
