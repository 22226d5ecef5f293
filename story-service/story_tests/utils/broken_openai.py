"""A loopback server speaking OpenAI's chat stream that breaks off after a few chunks, like a provider that dies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse


def chunk(text: str) -> bytes:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "flaky",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def broken_provider_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions() -> StreamingResponse:
        async def frames() -> AsyncIterator[bytes]:
            yield chunk("Once upon ")
            yield chunk("a time")
            raise RuntimeError("provider crashed mid-stream")

        return StreamingResponse(frames(), media_type="text/event-stream")

    return app
