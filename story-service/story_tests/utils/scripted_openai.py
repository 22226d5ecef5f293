"""A loopback server speaking OpenAI's chat stream: it records every request and streams the text it is given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from story_tests.utils.broken_openai import chunk

DEFAULT_TEXT = "Once upon a time a small owl lived in a tree. She loved the moon! Every night she sang to it."


def scripted_provider_app() -> FastAPI:
    """`app.state.requests` holds each chat request's JSON body; `app.state.text` is what the next answers stream."""
    app = FastAPI()
    app.state.requests = []
    app.state.text = DEFAULT_TEXT

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> StreamingResponse:
        app.state.requests.append(await request.json())
        words = app.state.text.split(" ")

        async def frames() -> AsyncIterator[bytes]:
            for i, word in enumerate(words):
                yield chunk(word if i == 0 else " " + word)
            yield b"data: [DONE]\n\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    @app.post("/v1/moderations")
    async def moderations() -> JSONResponse:
        body: dict[str, Any] = {"error": {"message": "not offered here", "type": "invalid_request_error"}}
        return JSONResponse(body, status_code=404)  # the moderator falls back to the offline provider

    return app


def user_message(request: dict[str, Any]) -> str:
    return str(request["messages"][-1]["content"])
