"""A loopback server speaking OpenAI chat completions (non-streaming) with deterministic Hindi stories."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse

SENTENCES = [
    "एक छोटे गाँव में एक जिज्ञासु बच्ची रहती थी।",
    "हर सुबह वह नदी के किनारे जाकर पक्षियों को दाना डालती थी।",
    "एक दिन उसे पेड़ के नीचे एक चमकता हुआ पत्थर मिला।",
    "उसने वह पत्थर अपने दोस्तों को दिखाया और सबने मिलकर उसका राज़ खोजा।",
    "शाम को दादी ने सबको समझाया कि असली ख़ज़ाना दोस्ती है।",
]


@dataclass
class ChatServerLog:
    """Requests seen, the most served at once, and story ideas the server fails on."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    failing_ideas: set[str] = field(default_factory=set)


def story_reply(user_message: str) -> str:
    digest = hashlib.sha256(user_message.encode("utf-8")).hexdigest()
    order = sorted(SENTENCES, key=lambda sentence: hashlib.sha256((digest + sentence).encode()).hexdigest())
    return f"शीर्षक: कहानी {digest[:6]}\n\n" + " ".join(order) + "\n\n" + " ".join(reversed(order))


def chat_completions_app(log: ChatServerLog) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        log.requests.append(body)
        log.in_flight += 1
        log.most_in_flight = max(log.most_in_flight, log.in_flight)
        try:
            await asyncio.sleep(0.05)
        finally:
            log.in_flight -= 1
        user = body["messages"][-1]["content"]
        if any(idea in user for idea in log.failing_ideas):
            return JSONResponse({"error": {"message": "engine overloaded", "type": "server_error"}}, status_code=500)
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": story_reply(user)}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 50, "total_tokens": 60},
        }

    return app
