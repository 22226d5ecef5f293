"""A measuring instrument, not a model: a loopback server speaking OpenAI's streaming chat protocol that sends one
fixed token every 1/rate seconds per stream, so benchmarks and fault tests time our relay, not a model.

`python -m storyscape_devtools.paced_openai --port 9500 --tokens-per-second 20 --tokens 40`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

WORD = "कहानी। "  # a Hindi sentence: the byte mix of a real Hindi story, released at once by the per-sentence moderation


def chunk(content: str | None, finish_reason: str | None = None) -> bytes:
    delta = {"content": content} if content is not None else {}
    body = {
        "id": "chatcmpl-paced",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "paced",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def paced_openai_app(*, tokens_per_second: float, tokens: int) -> FastAPI:
    app = FastAPI()
    app.state.streams_started = 0

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/chat/completions")
    async def completions() -> StreamingResponse:
        app.state.streams_started += 1

        async def frames() -> AsyncIterator[bytes]:
            # Paced against the stream's own start, so a late wake-up does not slow the whole stream down.
            start = asyncio.get_running_loop().time()
            for index in range(tokens):
                yield chunk(WORD)
                await asyncio.sleep(max(0.0, start + (index + 1) / tokens_per_second - asyncio.get_running_loop().time()))
            yield chunk(None, "stop")
            yield b"data: [DONE]\n\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens-per-second", type=float, default=20.0)
    parser.add_argument("--tokens", type=int, default=40)
    args = parser.parse_args()
    app = paced_openai_app(tokens_per_second=args.tokens_per_second, tokens=args.tokens)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", backlog=4096)


if __name__ == "__main__":
    main()
