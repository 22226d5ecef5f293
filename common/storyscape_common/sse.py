"""Server-Sent Events: encoding our events and reading an upstream event stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

SSE_MEDIA_TYPE = "text/event-stream"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
PING = b": ping\n\n"


def encode_event(event: str, data: Any) -> bytes:
    """One SSE frame with a JSON payload."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


async def iter_events(lines: AsyncIterator[str]) -> AsyncIterator[ServerSentEvent]:
    """Parse SSE frames out of a stream of text lines (e.g. `httpx.Response.aiter_lines()`)."""
    event, data = "message", list[str]()
    async for line in lines:
        if line == "":
            if data:
                yield ServerSentEvent(event, "\n".join(data))
            event, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
    if data:
        yield ServerSentEvent(event, "\n".join(data))


async def with_keepalive(frames: AsyncIterator[bytes], *, interval: float) -> AsyncIterator[bytes]:
    """Relay `frames`, inserting a `: ping` comment whenever `interval` seconds pass without one."""
    iterator = frames.__aiter__()
    pending: asyncio.Future[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield PING
                continue
            try:
                frame = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield frame
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()
