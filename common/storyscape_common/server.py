"""How `python -m <service>` serves its app: uvicorn with limits on headers, connections and shutdown, and
optionally the operational endpoints on a port of their own."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from typing import Any, Literal

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.importer import import_from_string
from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from storyscape_common.errors import error_body
from storyscape_common.logging import request_id_var
from storyscape_common.middleware import accepted_request_id, send_json_error
from storyscape_common.settings import ServiceSettings

_HEADERS_TOO_LARGE = json.dumps(error_body("headers_too_large", "request headers too large")).encode()


async def over_capacity(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer past `max_concurrent_connections`, in the error shape (uvicorn's own is plain text)."""
    request_id = accepted_request_id(scope)
    token = request_id_var.set(request_id)
    try:
        await send_json_error(
            send,
            503,
            "upstream_unavailable",
            "the server is at its connection limit; retry shortly",
            [(b"retry-after", b"1"), (b"connection", b"close"), (b"x-request-id", request_id.encode())],
        )
    finally:
        request_id_var.reset(token)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a cap on a request's header bytes and a deadline for receiving them,
    and its connection-limit 503 in our error shape.

    uvicorn itself bounds neither with httptools (its `h11_max_incomplete_event_size` covers only h11, and its
    keep-alive timer starts only after a first response), so a client dribbling headers would hold a connection
    for ever. `guarded_http_protocol` sets the two limits.
    """

    max_header_bytes = 16 * 1024
    header_timeout_seconds = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.header_bytes = 0
        self.headers_too_large = False
        self.header_deadline: asyncio.TimerHandle | None = None
        self.arm_header_deadline()  # also covers a client that connects and sends nothing

    def arm_header_deadline(self) -> None:
        if self.header_deadline is None:
            self.header_deadline = self.loop.call_later(self.header_timeout_seconds, self.drop_slow_client)

    def disarm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def drop_slow_client(self) -> None:
        self.header_deadline = None
        if not self.transport.is_closing():
            self.logger.info("dropped a client that did not send its request headers in time")
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm_header_deadline()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.header_bytes = 0
        self.arm_header_deadline()

    def count_header_bytes(self, size: int) -> None:
        self.header_bytes += size
        if self.header_bytes > self.max_header_bytes:
            self.headers_too_large = True
            # httptools turns this into HttpParserError; uvicorn's data_received then calls send_400_response.
            raise ValueError("request headers too large")

    def on_url(self, url: bytes) -> None:
        self.count_header_bytes(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.count_header_bytes(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.disarm_header_deadline()
        super().on_headers_complete()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        # uvicorn (pinned) picks its plain-text `service_unavailable` app when `limit_concurrency` is reached.
        super()._start_asgi_task(cycle, over_capacity if app is service_unavailable else app)  # type: ignore[arg-type]

    def send_400_response(self, msg: str) -> None:
        if not self.headers_too_large:
            super().send_400_response(msg)
            return
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(_HEADERS_TOO_LARGE)}\r\nconnection: close\r\n\r\n".encode()
            + _HEADERS_TOO_LARGE
        )
        self.transport.close()


def guarded_http_protocol(*, max_header_bytes: int, header_timeout_seconds: float) -> type[GuardedHttpToolsProtocol]:
    """The protocol class with these limits (uvicorn takes a class, so the limits ride on it)."""
    attributes = {"max_header_bytes": max_header_bytes, "header_timeout_seconds": header_timeout_seconds}
    return type("ConfiguredHttpToolsProtocol", (GuardedHttpToolsProtocol,), attributes)


class PathFilter:
    """Serves only the paths in `paths` (`keep=True`) or only the others (`keep=False`); the rest get 404."""

    def __init__(self, app: ASGIApp, *, paths: Collection[str], keep: bool) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.keep = keep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # `path` is already percent-decoded, so `/%6detrics` is filtered like `/metrics`.
        if scope["type"] == "http" and (scope["path"] in self.paths) != self.keep:
            await send_json_error(send, 404, "not_found", "no such path")
            return
        await self.app(scope, receive, send)


def uvicorn_config(app: ASGIApp | str, settings: ServiceSettings, *, port: int, lifespan: Literal["on", "off"]) -> uvicorn.Config:
    limits: dict[str, Any] = {
        "http": guarded_http_protocol(max_header_bytes=settings.max_header_bytes, header_timeout_seconds=settings.header_timeout_seconds),
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        "limit_concurrency": settings.max_concurrent_connections,
        "timeout_graceful_shutdown": settings.graceful_shutdown_seconds,
    }
    # log_config=None keeps uvicorn from replacing our JSON logging; we log requests ourselves.
    return uvicorn.Config(app, host=settings.host, port=port, lifespan=lifespan, log_config=None, access_log=False, **limits)


async def serve_together(servers: list[uvicorn.Server]) -> None:
    """Run the servers until one is told to stop (each captures SIGTERM in turn), then stop them all."""
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    while not any(task.done() for task in tasks):
        if any(server.should_exit for server in servers):
            for server in servers:
                server.should_exit = True
        await asyncio.sleep(0.1)
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks)


def run(factory: str, settings: ServiceSettings, *, operational_paths: Collection[str]) -> None:
    """Serve `module:create_app` on `settings.port`; with `operations_port` set, `operational_paths` move there."""
    config = uvicorn_config(factory, settings, port=settings.port, lifespan="on")
    if settings.operations_port is None:
        config.factory = True
        uvicorn.Server(config).run()
        return
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(serve_split(factory, settings, operational_paths))


async def serve_split(factory: str, settings: ServiceSettings, operational_paths: Collection[str]) -> None:
    """The public port without the operational paths, the operations port with only them; one app behind both."""
    assert settings.operations_port is not None
    app: ASGIApp = import_from_string(factory)()
    public = PathFilter(app, paths=operational_paths, keep=False)
    operations = PathFilter(app, paths=operational_paths, keep=True)
    await serve_together(
        [
            uvicorn.Server(uvicorn_config(public, settings, port=settings.port, lifespan="on")),
            # One app, one lifespan: the operations server shares what the public one started.
            uvicorn.Server(uvicorn_config(operations, settings, port=settings.operations_port, lifespan="off")),
        ]
    )
