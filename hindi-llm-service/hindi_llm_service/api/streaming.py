"""Responses that stop generation as soon as nobody is listening any more."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import anyio
from fastapi import Request
from starlette.responses import StreamingResponse
from starlette.types import Send

from storyscape_common.sse import SSE_HEADERS, SSE_MEDIA_TYPE

T = TypeVar("T")
DISCONNECT_POLL_SECONDS = 0.25


class ClientGone(Exception):
    """The client disconnected before its (non-streamed) answer was ready."""


class EventStreamResponse(StreamingResponse):
    """`text/event-stream` that always closes its body generator, whether streaming finished, failed or the
    client left, so the generation behind it is cancelled at once rather than whenever it is garbage-collected."""

    def __init__(self, content: object) -> None:
        super().__init__(content, media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)  # type: ignore[arg-type]

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """Await `work`, cancelling it if the client disconnects first (then raise ClientGone)."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_SECONDS)
            if done:
                return task.result()
            if await request.is_disconnected():
                raise ClientGone
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
