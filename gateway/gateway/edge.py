"""What the gateway refuses before routing: bodies over the route's limit and paths that hide what they name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyscape_common.middleware import header_value, send_json_error

# Routes that take `multipart/form-data` (a story from a photo); every other body is JSON-sized.
MULTIPART_ROUTES = frozenset({("POST", "/v1/stories")})
# RFC 3986 §6.2.2.2: percent-encoded unreserved characters are never needed; decoded, they can turn a path a
# filter in front of us let through into one it would have stopped (`/%6detrics` is routed as `/metrics`).
ENCODED_UNRESERVED = re.compile(rb"%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[DEde]|5[Ff]|7[Ee])")


@dataclass(frozen=True)
class BodyLimits:
    json_bytes: int
    multipart_bytes: int

    def for_request(self, scope: Scope) -> int:
        content_type = header_value(scope, b"content-type") or ""
        route = (scope["method"], scope["path"].rstrip("/"))
        if route in MULTIPART_ROUTES and content_type.lower().startswith("multipart/form-data"):
            return self.multipart_bytes
        return self.json_bytes


class CanonicalPathMiddleware:
    """400 for a path that percent-encodes a letter, digit or `-._~`: the gateway routes only paths as written."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ENCODED_UNRESERVED.search(scope.get("raw_path") or b""):
            await send_json_error(send, 400, "invalid_path", "the path percent-encodes characters that need no encoding")
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """413 `payload_too_large` for a body over the route's limit, before any of it reaches a service.

    A declared `Content-Length` is judged at once and the body then streams through (the server's framing stops
    it at that length). A chunked body is held back until it ends, at most the limit, then relayed with a
    `Content-Length`: streaming it would hand a service the start of a body that may turn out too large.
    """

    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_request(scope)
        length = header_value(scope, b"content-length")
        if length is not None:
            if int(length) > limit:  # the server already refused a malformed Content-Length
                await too_large(send, limit)
                return
            await self.app(scope, receive, send)
        elif header_value(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)
        else:
            await self.relay_chunked(scope, receive, send, limit)

    async def relay_chunked(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await too_large(send, limit)
                return
            if not message.get("more_body", False):
                break
        headers = [(name, value) for name, value in scope["headers"] if name != b"transfer-encoding"]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.app({**scope, "headers": headers}, replay(bytes(body), receive), send)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the buffered body once, then whatever the client sends next (its disconnect)."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def next_message() -> Message:
        return pending.pop() if pending else await receive()

    return next_message


async def too_large(send: Send, limit: int) -> None:
    await send_json_error(send, 413, "payload_too_large", f"the request body is over this route's limit of {limit} bytes")
