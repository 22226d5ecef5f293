"""Pure ASGI middleware (streaming-safe): request ids, access logs, metrics, internal-token checks."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyscape_common.errors import error_body
from storyscape_common.internal_auth import InternalTokenVerifier, InvalidInternalToken
from storyscape_common.logging import request_id_var

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("storyscape.access")


def header_value(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_json_error(send: Send, status: int, code: str, message: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


def accepted_request_id(scope: Scope) -> str:
    """The client's X-Request-ID when it is safe to echo and log, else a new one."""
    incoming = header_value(scope, REQUEST_ID_HEADER.encode())
    return incoming if incoming and _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


class RequestContextMiddleware:
    """Accepts or creates X-Request-ID, returns it, logs the request, and turns crashes into a 500 body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"], status_holder["started"] = message["status"], True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER.encode()]
                message = {**message, "headers": [*headers, (REQUEST_ID_HEADER.encode(), request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            access_logger.exception("unhandled error")
            if not status_holder["started"]:
                await send_json_error(send_with_request_id, 500, "internal_error", "internal server error")
        finally:
            access_logger.info(
                "request",
                extra={
                    "fields": {
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status_holder["status"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
            request_id_var.reset(token)


class MetricsMiddleware:
    """Counts requests and observes latency by method, route template and status."""

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry, service: str) -> None:
        self.app = app
        self.requests = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"], registry=registry)
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time until the response finished",
            ["service", "method", "route", "status"],
            registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_recording_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            labels = (self.service, scope.get("method", ""), route, str(status["code"]))
            self.requests.labels(*labels).inc()
            self.latency.labels(*labels).observe(time.perf_counter() - started)


class InternalAuthMiddleware:
    """Refuses (401) any request without a valid internal token, except the open operational paths."""

    def __init__(
        self, app: ASGIApp, *, verifier: InternalTokenVerifier, open_paths: frozenset[str], open_prefixes: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.open_paths = open_paths
        self.open_prefixes = open_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths or scope["path"].startswith(self.open_prefixes):
            await self.app(scope, receive, send)
            return
        authorization = header_value(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await send_json_error(send, 401, "unauthenticated", "missing internal token", [(b"www-authenticate", b"Bearer")])
            return
        try:
            identity = self.verifier.verify(token.strip())
        except InvalidInternalToken:
            await send_json_error(send, 401, "unauthenticated", "invalid internal token", [(b"www-authenticate", b"Bearer")])
            return
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)
