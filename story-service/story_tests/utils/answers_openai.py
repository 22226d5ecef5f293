"""A loopback server speaking OpenAI's chat stream that gives each request its own scripted answer: the one for a
phrase in the prompt, else the next one queued, else the default; streamed word by word, optionally paced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from story_tests.utils.broken_openai import chunk


@dataclass(frozen=True)
class Answer:
    text: str
    seconds_per_word: float = 0.0


@dataclass
class Script:
    """What the server answers, and every chat request's JSON body as it arrived."""

    default: Answer
    queue: list[Answer] = field(default_factory=list)
    by_phrase: dict[str, Answer] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, body: dict[str, Any]) -> Answer:
        self.requests.append(body)
        prompt = str(body["messages"][-1]["content"])
        for phrase, answer in self.by_phrase.items():
            if phrase in prompt:
                return answer
        return self.queue.pop(0) if self.queue else self.default


def answers_app(script: Script) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> StreamingResponse:
        answer = script.answer(await request.json())

        async def frames() -> AsyncIterator[bytes]:
            for i, word in enumerate(answer.text.split(" ")):
                yield chunk(word if i == 0 else " " + word)
                await asyncio.sleep(answer.seconds_per_word)
            yield b"data: [DONE]\n\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    @app.post("/v1/moderations")
    async def moderations() -> JSONResponse:
        body: dict[str, Any] = {"error": {"message": "not offered here", "type": "invalid_request_error"}}
        return JSONResponse(body, status_code=404)  # the moderator falls back to the offline provider

    return app
