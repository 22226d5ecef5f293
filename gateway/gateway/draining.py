"""Graceful stop of the gateway: on SIGTERM, running requests (story streams) may finish until a drain deadline;
then each relayed event stream ends with an `error` event (`upstream_unavailable`, retryable) instead of a cut
connection, and a request not yet answered gets 503 `upstream_unavailable` with Retry-After.

uvicorn stops accepting and waits `graceful_shutdown_seconds` for running requests (see `storyscape_common.app.serve`);
the gateway ends its streams a little before that, while it can still write to them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
from types import FrameType
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyscape_common.errors import error_body
from storyscape_common.sse import SSE_MEDIA_TYPE, encode_event

logger = logging.getLogger("gateway.draining")
# Time left between our drain deadline and uvicorn cancelling what still runs: enough to write the last event.
MARGIN_SECONDS = 1.0
UNAVAILABLE = {"code": "upstream_unavailable", "message": "the server is restarting; try again", "retryable": True}


class Drain:
    """Set once SIGTERM arrives; `seconds` later every request still running is cancelled (`deadline_passed`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds - MARGIN_SECONDS)
        self.deadline_passed = asyncio.Event()
        self.started = False
        self.running: set[anyio.CancelScope] = set()  # one per request in flight: no task per request

    def start(self) -> None:
        if not self.started:
            self.started = True
            logger.info("draining", extra={"fields": {"seconds": self.seconds}})
            asyncio.get_running_loop().call_later(self.seconds, self.cut_off)

    def cut_off(self) -> None:
        self.deadline_passed.set()
        for scope in list(self.running):
            scope.cancel()

    def on_sigterm(self) -> None:
        """Chain our handler before the server's own (which stops accepting and waits for running requests)."""
        if threading.current_thread() is not threading.main_thread():
            return  # an app served from a thread (tests) gets no signals; the server there does not catch them either
        loop = asyncio.get_running_loop()
        previous = signal.getsignal(signal.SIGTERM)

        def handle(sig: int, frame: FrameType | None) -> None:
            loop.call_soon_threadsafe(self.start)
            if callable(previous):
                previous(sig, frame)

        signal.signal(signal.SIGTERM, handle)


class DrainMiddleware:
    """Ends what still runs at the drain deadline: an event stream with an `error` event, anything unstarted 503."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = {"started": False, "event_stream": False, "at_boundary": True, "done": False}

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                state["event_stream"] = content_type.startswith(SSE_MEDIA_TYPE.encode())
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if body:
                    state["at_boundary"] = body.endswith(b"\n\n")
                state["done"] = not message.get("more_body", False)
            await send(message)

        with anyio.CancelScope() as running:
            if self.drain.deadline_passed.is_set():
                running.cancel()
            self.drain.running.add(running)
            try:
                await self.app(scope, receive, tracking_send)
            finally:
                self.drain.running.discard(running)
        if self.drain.deadline_passed.is_set() and not state["done"]:
            await self.close_cleanly(state, send)

    async def close_cleanly(self, state: dict[str, Any], send: Send) -> None:
        if not state["started"]:
            body = json.dumps(error_body(str(UNAVAILABLE["code"]), str(UNAVAILABLE["message"])))
            headers = [(b"content-type", b"application/json"), (b"retry-after", b"1")]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body.encode()})
        elif state["event_stream"] and state["at_boundary"]:
            await send({"type": "http.response.body", "body": encode_event("error", UNAVAILABLE), "more_body": False})
        else:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
