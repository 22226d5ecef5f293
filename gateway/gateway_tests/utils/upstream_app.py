"""A stand-in StoryScape service built with common's app factory (real internal-token auth), for relaying tests.

Each test names its own probe (`?probe=<id>`) so it can watch what the upstream saw and did, across threads.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse

from storyscape_common.app import create_service_app
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import ApiError
from storyscape_common.settings import ServiceSettings
from storyscape_common.sse import SSE_HEADERS, SSE_MEDIA_TYPE, encode_event

SIGNED_MEDIA_PREFIX = "/v1/media/objects/"
POLL_SECONDS = 0.01


@dataclass
class Probe:
    """What one test's requests did upstream; events are thread-safe so the test can wait on them."""

    sent_first: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    sent_last: threading.Event = field(default_factory=threading.Event)
    stream_closed: threading.Event = field(default_factory=threading.Event)
    first_chunk_received: threading.Event = field(default_factory=threading.Event)
    body_complete: threading.Event = field(default_factory=threading.Event)  # the whole body arrived
    received_bytes: int = 0  # request body bytes read so far, over every request of the probe
    client_gone: threading.Event = field(default_factory=threading.Event)
    hits: int = 0


class Probes:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._probes: dict[str, Probe] = defaultdict(Probe)

    def get(self, probe_id: str) -> Probe:
        with self._lock:
            return self._probes[probe_id]


async def wait_until(event: threading.Event, *, seconds: float) -> bool:
    """Poll until `event` (set from the test's thread) is set or time runs out; cancellable, unlike Event.wait."""
    for _ in range(int(seconds / POLL_SECONDS)):
        if event.is_set():
            return True
        await asyncio.sleep(POLL_SECONDS)
    return event.is_set()


def stand_in_router(*, service: str, probes: Probes) -> APIRouter:
    router = APIRouter()

    def probe_for(request: Request) -> Probe:
        probe = probes.get(request.query_params.get("probe", "default"))
        probe.hits += 1
        return probe

    @router.get("/v1/stories/events")
    async def events(request: Request, scenario: str = "handshake") -> StreamingResponse:
        """SSE: `handshake` waits for the test between events; `forever` never ends; `break` dies mid-stream."""
        probe = probe_for(request)

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield encode_event("story.delta", {"text": "one"})
                probe.sent_first.set()
                if scenario == "break":
                    raise RuntimeError("upstream crashed mid-stream")
                await wait_until(probe.release, seconds=60 if scenario == "forever" else 10)
                yield encode_event("story.delta", {"text": "two"})
                probe.sent_last.set()
                yield encode_event("story.completed", {"text": "three"})
            finally:
                probe.stream_closed.set()

        return StreamingResponse(stream(), media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)

    async def slow(request: Request, probe: Probe) -> dict[str, str]:
        """Answers after 3 s unless the caller hangs up first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 3
        while loop.time() < deadline:
            if await request.is_disconnected():
                probe.client_gone.set()
                return {"status": "abandoned"}
            await asyncio.sleep(0.02)
        return {"status": "late"}

    @router.delete("/v1/genres/missing")
    async def missing() -> None:
        raise ApiError(404, "not_found", "genre not found")

    @router.get(SIGNED_MEDIA_PREFIX + "{object_path:path}")
    async def signed_object(request: Request, object_path: str) -> dict[str, Any]:
        return {"service": service, "object": object_path, "headers": dict(request.headers)}

    @router.api_route("/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def echo(request: Request, identity: CurrentIdentity, scenario: str = "", discard: bool = False) -> dict[str, Any]:
        """Who the caller is, as this service verified it, and exactly what arrived (the body read as it arrives,
        its first chunk flagged; `discard` keeps only its size). `scenario=slow` answers late instead."""
        probe = probe_for(request)
        if scenario == "slow":
            return await slow(request, probe)
        chunks, size = [], 0
        async for chunk in request.stream():
            if chunk:
                size += len(chunk)
                probe.received_bytes += len(chunk)
                probe.first_chunk_received.set()
                if not discard:
                    chunks.append(chunk)
        probe.body_complete.set()
        body = b"".join(chunks)
        return {
            "service": service,
            "user_id": identity.user_id,
            "request_id": identity.request_id,
            "issuer": identity.issuer,
            "token": identity.token,
            "method": request.method,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "headers": dict(request.headers),
            "body": body.decode(),
            "bytes": size,
        }

    return router


def upstream_app(*, service: str, public_keys: dict[str, str], probes: Probes) -> FastAPI:
    """A service named `service` that accepts only internal tokens addressed to it."""
    settings = ServiceSettings(service_name=service, environment="test", internal_public_keys=public_keys)
    return create_service_app(
        settings=settings,
        title=f"test {service}",
        description="upstream stand-in for gateway tests",
        routers=[stand_in_router(service=service, probes=probes)],
        open_prefixes=(SIGNED_MEDIA_PREFIX,),
    )
