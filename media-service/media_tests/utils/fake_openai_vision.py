"""A loopback server speaking OpenAI's chat-completions protocol for vision requests (non-streaming).

It checks what gpt-4o would need (a text part and an image part holding a base64 data URL whose type
matches the bytes) and answers with a description that echoes the image's size and the prompt's language,
or with the text a test put in `Scripted` (an unsafe description, say).
"""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from PIL import Image

API_KEY = "sk-loopback-vision"


@dataclass
class Scripted:
    text: str | None = None  # set: every photo is described with exactly this text


def vision_app(*, fail_with: int | None = None, seen: list[dict[str, Any]] | None = None, scripted: Scripted | None = None) -> FastAPI:
    app = FastAPI()
    requests = seen if seen is not None else []

    @app.post("/v1/chat/completions")
    async def completions(body: dict[str, Any], authorization: str = Header("")) -> dict[str, Any]:
        if authorization != f"Bearer {API_KEY}":
            raise HTTPException(401, "invalid api key")
        if fail_with:
            raise HTTPException(fail_with, "overloaded")
        requests.append(body)
        parts = body["messages"][0]["content"]
        text = next(p["text"] for p in parts if p["type"] == "text")
        url = next(p["image_url"]["url"] for p in parts if p["type"] == "image_url")
        header, _, payload = url.partition(",")
        image = Image.open(io.BytesIO(base64.b64decode(payload)))
        if header != f"data:image/{(image.format or '').lower()};base64":
            raise HTTPException(400, "data URL type does not match the image")
        hindi = any("\u0900" <= c <= "\u097f" for c in text)
        answer = f"एक {image.width} पिक्सेल चौड़ी तस्वीर।" if hindi else f"A picture {image.width} pixels wide."
        if scripted is not None and scripted.text is not None:
            answer = scripted.text
        return {
            "id": "chatcmpl-loopback",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    return app
