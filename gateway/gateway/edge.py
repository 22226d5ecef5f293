"""What the gateway refuses before a request reaches a route, in the order it checks:

1. a path that hides what it names (400), 2. a path or method the public API does not list (404/405),
3. a `/v1` request without a valid Firebase ID token (401) — all three before any of the body is read — then
4. a body over the route's limit (413) or not received whole within its deadline (408), counted as it arrives.

A refusal of a request whose body was not read closes the connection: none of the body is kept or passed on.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import anyio.lowlevel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.firebase import FirebaseVerifier, bearer_token
from gateway.routing import PublicRoutes, Resolved
from storyscape_common.errors import ApiError, error_body
from storyscape_common.middleware import header_value, send_json_error

# Routes that take `multipart/form-data` (a story from a photo); every other body is JSON-sized.
MULTIPART_ROUTES = frozenset({("POST", "/v1/stories")})
# RFC 3986 §6.2.2.2: percent-encoded unreserved characters are never needed; decoded, they can turn a path a
# filter in front of us let through into one it would have stopped (`/%6detrics` is routed as `/metrics`).
ENCODED_UNRESERVED = re.compile(rb"%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[DEde]|5[Ff]|7[Ee])")
# Where the edge leaves what it learnt for the routes (`api/deps.py` reads them).
ROUTE_STATE = "public_route"
USER_STATE = "firebase_user"
CLOSE = (b"connection", b"close")
# After refusing a body it did not read: how long the gateway keeps discarding what the client still sends, at most,
# and how long a pause ends that early (nginx's lingering_time and lingering_timeout, shorter).
LINGER_SECONDS = 5.0
LINGER_QUIET_SECONDS = 1.0


def declares_body(scope: Scope) -> bool:
    length = header_value(scope, b"content-length")
    return (length is not None and length != "0") or header_value(scope, b"transfer-encoding") is not None


async def refuse(scope: Scope, receive: Receive, send: Send, error: ApiError) -> None:
    """The error in our shape. Where a body was announced and not read, the answer says `Connection: close`, and
    the connection is closed after a short linger (RFC 9112 §9.6): closing at once with the client still sending
    would reset the connection, and a reset can destroy the answer before the client reads it."""
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in error.headers.items()]
    if not declares_body(scope):
        await send_json_error(send, error.status, error.code, error.message, headers)
        return
    body = json.dumps(error_body(error.code, error.message)).encode()
    headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), CLOSE]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    # The whole answer goes out now; the response ends (and the server closes) once the client stops sending.
    await send({"type": "http.response.body", "body": body, "more_body": True})
    await linger(receive)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def linger(receive: Receive) -> None:
    """Discard what the client still sends, until it goes quiet or the linger time is up; nothing is kept."""
    with anyio.move_on_after(LINGER_SECONDS):
        while True:
            with anyio.move_on_after(LINGER_QUIET_SECONDS) as quiet:
                message = await receive()
            if quiet.cancelled_caught or message["type"] != "http.request" or not message.get("more_body", False):
                return


def under_v1(scope: Scope) -> bool:
    return scope["type"] == "http" and str(scope["path"]).startswith("/v1/")


class CanonicalPathMiddleware:
    """400 for a path that percent-encodes a letter, digit or `-._~`: the gateway routes only paths as written."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ENCODED_UNRESERVED.search(scope.get("raw_path") or b""):
            error = ApiError(400, "invalid_path", "the path percent-encodes characters that need no encoding")
            await refuse(scope, receive, send, error)
            return
        await self.app(scope, receive, send)


class PublicRouteMiddleware:
    """404 for a `/v1` path that is not exactly a public route (`/v1/stories/`, `/v1/stories/x/y`), 405 for a
    public path with a method it does not take; neither reaches a service. The owner rides in the request state."""

    def __init__(self, app: ASGIApp, *, routes: PublicRoutes) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not under_v1(scope):
            await self.app(scope, receive, send)
            return
        resolved = self.routes.resolve(method=scope["method"], path=scope["path"])
        if not resolved.found:
            await refuse(scope, receive, send, ApiError(404, "not_found", "no such path"))
            return
        if scope["method"].upper() not in resolved.allowed:
            allow = {"Allow": ", ".join(sorted(resolved.allowed))}
            await refuse(scope, receive, send, ApiError(405, "method_not_allowed", f"{scope['method']} is not allowed here", allow))
            return
        scope.setdefault("state", {})[ROUTE_STATE] = resolved
        await self.app(scope, receive, send)


class AuthenticationMiddleware:
    """401 for a `/v1` request without a valid Firebase ID token, before any of its body is read. Routes the public
    API marks `security: []` (a signed media URL, an account deletion's status URL) are their own authorisation.
    The verified user rides in the request state."""

    def __init__(self, app: ASGIApp, *, verifier: Callable[[Scope], FirebaseVerifier]) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        resolved: Resolved | None = scope.get("state", {}).get(ROUTE_STATE)
        if not under_v1(scope) or (resolved is not None and not resolved.needs_token):
            await self.app(scope, receive, send)
            return
        try:
            user = await self.verifier(scope).verify(bearer_token(header_value(scope, b"authorization")))
        except ApiError as error:
            await refuse(scope, receive, send, error)
            return
        scope.setdefault("state", {})[USER_STATE] = user
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class BodyRule:
    max_bytes: int
    seconds: float


@dataclass(frozen=True)
class BodyLimits:
    json_bytes: int
    multipart_bytes: int
    json_seconds: float
    multipart_seconds: float

    def for_request(self, scope: Scope) -> BodyRule:
        content_type = header_value(scope, b"content-type") or ""
        if (scope["method"], scope["path"]) in MULTIPART_ROUTES and content_type.lower().startswith("multipart/form-data"):
            return BodyRule(self.multipart_bytes, self.multipart_seconds)
        return BodyRule(self.json_bytes, self.json_seconds)


class BodyReading:
    """One request body on its way through: bytes counted as they arrive, and the deadline for the last of them."""

    def __init__(self, rule: BodyRule, cancel_scope: anyio.CancelScope) -> None:
        self.rule = rule
        self.cancel_scope = cancel_scope
        self.received = 0
        self.complete = False
        self.over_limit = False
        self.response_started = False

    def stop_the_clock(self) -> None:
        self.cancel_scope.deadline = math.inf

    async def receive(self, receive: Receive) -> Message:
        message = await receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.rule.max_bytes:
                # The part over the limit goes nowhere: the route is cancelled before it sees it.
                self.over_limit = True
                self.cancel_scope.cancel()
                await anyio.lowlevel.checkpoint()
            if not message.get("more_body", False):
                self.complete = True
                self.stop_the_clock()
        return message

    async def send(self, send: Send, message: Message) -> None:
        if message["type"] == "http.response.start" and not self.response_started:
            self.response_started = True
            self.stop_the_clock()  # a story may stream for minutes once it has its body
            if not self.complete:
                # Answered before the body ended: the rest of it is not read, so the connection cannot be reused.
                message = {**message, "headers": [*message.get("headers", []), CLOSE]}
        await send(message)


class BodyLimitMiddleware:
    """413 `payload_too_large` for a body over the route's limit, 408 `request_timeout` for one not received whole
    within the route's deadline (total, counted from the headers, whatever the pace of its chunks).

    A declared `Content-Length` over the limit is refused at once. Every other body streams on to the service as
    it arrives, counted; the gateway holds none of it, so a stalled upload costs a connection, not its bytes. When
    the count passes the limit or the deadline passes, the relay is cancelled: the service sees a body that never
    ended (and so never acts on it), the client gets the error, and the connection is closed.
    """

    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not declares_body(scope):
            await self.app(scope, receive, send)
            return
        rule = self.limits.for_request(scope)
        length = header_value(scope, b"content-length")
        if length is not None and int(length) > rule.max_bytes:  # the server already refused a malformed length
            await refuse(scope, receive, send, too_large(rule))
            return
        with anyio.CancelScope(deadline=anyio.current_time() + rule.seconds) as cancel_scope:
            reading = BodyReading(rule, cancel_scope)

            async def guarded_receive() -> Message:
                return await reading.receive(receive)

            async def guarded_send(message: Message) -> None:
                await reading.send(send, message)

            await self.app(scope, guarded_receive, guarded_send)
        if cancel_scope.cancelled_caught and not reading.response_started:
            error = too_large(rule) if reading.over_limit else too_slow(rule)
            await refuse(scope, receive, send, error)


def too_large(rule: BodyRule) -> ApiError:
    return ApiError(413, "payload_too_large", f"the request body is over this route's limit of {rule.max_bytes} bytes")


def too_slow(rule: BodyRule) -> ApiError:
    return ApiError(408, "request_timeout", f"the request body did not arrive within {rule.seconds:g} s")


class BareReadinessMiddleware:
    """`/readyz` with its status only: which services the gateway depends on, and how they fail, is for operators
    (the operations port, or any environment but production), not for the internet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/readyz":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def status_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]

        await self.app(scope, receive, status_only)
        if status["code"] != 200:
            await send_json_error(send, 503, "upstream_unavailable", "not ready", [(b"retry-after", b"1")])
            return
        body = json.dumps({"status": "ready"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
