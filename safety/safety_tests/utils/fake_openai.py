"""A loopback server speaking OpenAI's moderation protocol (POST /v1/moderations), for provider tests.

It answers like omni-moderation-latest does: every category key, scores, `flagged`. Its "model" is a small
table of trigger words, and for images the colour of the picture (a mostly red picture is "sexual"), which
is enough to show that our requests are well formed and the answers are read correctly.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request
from PIL import Image

CATEGORIES = (
    "sexual", "sexual/minors", "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "violence", "violence/graphic",
)  # fmt: skip
TRIGGERS = {
    "gore": {"violence": 0.91, "violence/graphic": 0.88},
    "idiot": {"harassment": 0.93},
    "hopeless": {"self-harm/intent": 0.95, "self-harm": 0.9},
    "pills": {"illicit": 0.87},
    "borderline": {"violence": 0.35},  # not flagged by OpenAI; blocked only with a strict threshold
}
API_KEY = "sk-loopback-test"


def _text_scores(text: str) -> dict[str, float]:
    scores = dict.fromkeys(CATEGORIES, 0.001)
    for word, hits in TRIGGERS.items():
        if word in text.lower():
            scores.update(hits)
    return scores


def _image_scores(url: str) -> dict[str, float]:
    header, _, payload = url.partition(",")
    if not header.startswith("data:image/") or not header.endswith(";base64"):
        raise HTTPException(400, "image_url must be a base64 data URL")
    image = Image.open(io.BytesIO(base64.b64decode(payload)))
    if f"image/{(image.format or '').lower()}" != header[5:-7]:
        raise HTTPException(400, "data URL type does not match the image")
    red, green, blue = image.convert("RGB").resize((1, 1)).getpixel((0, 0))  # type: ignore[misc]
    scores = dict.fromkeys(CATEGORIES, 0.001)
    if red > 180 and green < 100 and blue < 100:
        scores["sexual"] = 0.97
    return scores


def _result(scores: dict[str, float]) -> dict[str, Any]:
    categories = {name: score >= 0.5 for name, score in scores.items()}
    return {
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": {name: ["text"] for name in CATEGORIES},
    }


def moderation_app(*, fail_with: int | None = None, seen: list[dict[str, Any]] | None = None) -> FastAPI:
    """The server; each accepted request body is appended to `seen`."""
    app = FastAPI()
    requests = seen if seen is not None else []

    @app.post("/v1/moderations")
    async def moderations(request: Request, authorization: str = Header("")) -> dict[str, Any]:
        if authorization != f"Bearer {API_KEY}":
            raise HTTPException(401, "invalid api key")
        if fail_with:
            raise HTTPException(fail_with, "the moderation service is having a bad day")
        body = await request.json()
        requests.append(body)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        scores = dict.fromkeys(CATEGORIES, 0.0)
        for part in inputs:
            part_scores = (
                _image_scores(part["image_url"]["url"])
                if isinstance(part, dict) and part.get("type") == "image_url"
                else (_text_scores(part if isinstance(part, str) else part["text"]))
            )
            scores = {k: max(scores[k], part_scores[k]) for k in CATEGORIES}
        return {"id": "modr-loopback", "model": body["model"], "results": [_result(scores)]}

    return app
