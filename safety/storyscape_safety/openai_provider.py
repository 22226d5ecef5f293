"""OpenAI's moderation endpoint (`omni-moderation-latest`, text and images) through the official client.

OpenAI's `flagged` is tuned for a general audience; for children a category also counts when its score
reaches `strict_threshold` (off unless set).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from openai import AsyncOpenAI
from openai.types import ModerationImageURLInputParam

from storyscape_safety.image_types import image_mime
from storyscape_safety.types import Category, Verdict

DEFAULT_MODEL = "omni-moderation-latest"

# OpenAI's categories -> ours. Harassment is insults aimed at someone: profanity in a children's product;
# illicit covers drugs (and other wrongdoing, which for children's stories is mostly drugs and alcohol).
CATEGORY_MAP: Mapping[str, tuple[Category, ...]] = {
    "sexual": (Category.SEXUAL,),
    "sexual/minors": (Category.SEXUAL,),
    "harassment": (Category.PROFANITY,),
    "harassment/threatening": (Category.PROFANITY, Category.VIOLENCE),
    "hate": (Category.HATE,),
    "hate/threatening": (Category.HATE, Category.VIOLENCE),
    "illicit": (Category.DRUGS,),
    "illicit/violent": (Category.DRUGS, Category.VIOLENCE),
    "self-harm": (Category.SELF_HARM,),
    "self-harm/intent": (Category.SELF_HARM,),
    "self-harm/instructions": (Category.SELF_HARM,),
    "violence": (Category.VIOLENCE,),
    "violence/graphic": (Category.VIOLENCE,),
}


class OpenAIModerator:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = DEFAULT_MODEL,
        timeout_s: float = 10.0,
        strict_threshold: float | None = None,
        max_retries: int = 1,
    ) -> None:
        self.model = model
        self.strict_threshold = strict_threshold
        self._client = AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries)

    async def aclose(self) -> None:
        await self._client.close()

    async def check_text(self, text: str, *, language: str | None = None) -> Verdict:
        response = await self._client.moderations.create(model=self.model, input=text)
        return self._verdict(response.results[0].model_dump(by_alias=True))

    async def check_image(self, data: bytes) -> Verdict:
        url = f"data:{image_mime(data)};base64,{base64.b64encode(data).decode('ascii')}"
        part: ModerationImageURLInputParam = {"type": "image_url", "image_url": {"url": url}}
        response = await self._client.moderations.create(model=self.model, input=[part])
        return self._verdict(response.results[0].model_dump(by_alias=True))

    def _verdict(self, result: Mapping[str, Any]) -> Verdict:
        flags: Mapping[str, bool | None] = result.get("categories") or {}
        raw_scores: Mapping[str, float | None] = result.get("category_scores") or {}
        categories: set[Category] = set()
        scores: dict[Category, float] = {}
        rules: set[str] = set()
        for name, ours in CATEGORY_MAP.items():
            score = float(raw_scores.get(name) or 0.0)
            strict_hit = self.strict_threshold is not None and score >= self.strict_threshold
            if flags.get(name) or strict_hit:
                rules.add(f"openai:{name}")
            for category in ours:
                scores[category] = max(score, scores.get(category, 0.0))
                if flags.get(name) or strict_hit:
                    categories.add(category)
        if categories:
            return Verdict.block(self.name, categories, scores, rules)
        return Verdict.allow(self.name, scores)
