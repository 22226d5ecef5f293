"""A loopback server speaking OpenAI's HTTP protocol for Images and Speech (OpenAI itself is never reachable).

It answers like the real API (JSON with `b64_json`; raw PCM for `response_format=pcm`) and can fail or stall the
first requests, so retries and crash recovery are exercised over real sockets.
"""

from __future__ import annotations

import asyncio
import base64
import io
import math
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image

PCM_RATE = 24_000
SECONDS_PER_CHAR = 0.02


@dataclass
class Behaviour:
    fail_first: int = 0  # answer this many requests with 500 first
    stall_first: int = 0  # then hold this many requests for `stall_s` before answering
    stall_s: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)  # set: stalls end early (shutdown)
    seen: threading.Event = field(default_factory=threading.Event)  # set once a request has arrived
    requests: list[dict[str, Any]] = field(default_factory=list)
    picture: bytes | None = None  # set: every image request is answered with these bytes instead of a plain plate
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_action(self, body: dict[str, Any]) -> str:
        with self.lock:
            self.requests.append(body)
            self.seen.set()
            if self.fail_first > 0:
                self.fail_first -= 1
                return "fail"
            if self.stall_first > 0:
                self.stall_first -= 1
                return "stall"
            return "answer"


def png_of(size: str) -> bytes:
    width, height = (int(n) for n in size.split("x"))
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 160, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def tone(seconds: float) -> bytes:
    count = int(PCM_RATE * seconds)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / PCM_RATE))) for n in range(count))


def create_fake_openai(behaviour: Behaviour) -> FastAPI:
    app = FastAPI()

    async def act(request: Request) -> tuple[dict[str, Any], Response | None]:
        if request.headers.get("authorization") != "Bearer sk-test-key":
            return {}, JSONResponse({"error": {"message": "bad key", "type": "invalid_request_error"}}, status_code=401)
        body: dict[str, Any] = await request.json()
        action = behaviour.next_action(body)
        if action == "fail":
            return body, JSONResponse({"error": {"message": "overloaded", "type": "server_error"}}, status_code=500)
        if action == "stall":
            await asyncio.to_thread(behaviour.release.wait, behaviour.stall_s)
        return body, None

    @app.post("/v1/images/generations")
    async def images(request: Request) -> Response:
        body, refusal = await act(request)
        if refusal:
            return refusal
        if body.get("model") == "dall-e-3" and body.get("response_format") != "b64_json":
            return JSONResponse({"error": {"message": "expected b64_json"}}, status_code=400)
        picture = base64.b64encode(behaviour.picture or png_of(body.get("size", "1024x1024"))).decode()
        return JSONResponse({"created": 1, "data": [{"b64_json": picture}]})

    @app.post("/v1/audio/speech")
    async def speech(request: Request) -> Response:
        body, refusal = await act(request)
        if refusal:
            return refusal
        if len(body["input"]) > 4096:
            return JSONResponse({"error": {"message": "input too long"}}, status_code=400)
        if body.get("response_format") != "pcm":
            return JSONResponse({"error": {"message": "this fake speaks pcm only"}}, status_code=400)
        return Response(tone(len(body["input"]) * SECONDS_PER_CHAR), media_type="audio/pcm")

    return app
