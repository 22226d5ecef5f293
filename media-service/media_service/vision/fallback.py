"""gpt-4o when a key is set, the local analyser when it is not or when OpenAI fails: a story never fails
because the vision step was unavailable."""

from __future__ import annotations

import logging

import httpx
import openai

from media_service.vision.base import ImageDescription, Language, VisionProvider
from media_service.vision.local import LocalAnalyser
from media_service.vision.openai_vision import DEFAULT_MODEL, OpenAIVision

logger = logging.getLogger("storyscape.media.vision")


class FallbackVision:
    def __init__(self, primary: VisionProvider, fallback: VisionProvider) -> None:
        self.primary, self.fallback = primary, fallback
        self.name = f"{primary.name}|{fallback.name}"

    async def describe(self, image: bytes, *, language: Language) -> ImageDescription:
        try:
            described = await self.primary.describe(image, language=language)
            if described.text:
                return described
        except (openai.APIError, httpx.HTTPError, TimeoutError) as exc:
            logger.warning("vision provider %s unavailable (%s); using %s", self.primary.name, type(exc).__name__, self.fallback.name)
        return await self.fallback.describe(image, language=language)


def create_vision_provider(
    *, openai_api_key: str | None = None, openai_base_url: str | None = None, model: str = DEFAULT_MODEL
) -> VisionProvider:
    local = LocalAnalyser()
    if not openai_api_key:
        return local
    return FallbackVision(OpenAIVision(api_key=openai_api_key, base_url=openai_base_url, model=model), local)
