"""A loopback server speaking OpenAI's chat-completions protocol, answering what a test tells it to."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request


@dataclass
class ModelScript:
    content: str = ""
    delay_seconds: float = 0.0
    calls: int = 0
    authorizations: list[str] = field(default_factory=list)
    messages: list[list[dict[str, Any]]] = field(default_factory=list)  # each call's chat messages, as sent

    def answer(self, prompts: Any, *, delay_seconds: float = 0.0) -> None:
        """The next answers: a list/dict is sent as JSON, a string as it is."""
        self.content = prompts if isinstance(prompts, str) else json.dumps(prompts, ensure_ascii=False)
        self.delay_seconds = delay_seconds


def fake_model_app(script: ModelScript) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> dict[str, Any]:
        body = await request.json()
        script.calls += 1
        script.authorizations.append(request.headers.get("authorization", ""))
        script.messages.append(body["messages"])
        await asyncio.sleep(script.delay_seconds)
        message = {"role": "assistant", "content": script.content}
        return {
            "id": f"chatcmpl-{script.calls}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 50, "total_tokens": 60},
        }

    return app
