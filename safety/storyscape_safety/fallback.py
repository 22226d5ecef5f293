"""OpenAI first, the offline moderator when OpenAI cannot answer: a check never silently passes because a
provider was down (fail closed would block every child while OpenAI has an outage)."""

from __future__ import annotations

import logging

import httpx
import openai

from storyscape_safety.types import Moderator, Verdict

logger = logging.getLogger("storyscape.safety")

_UNAVAILABLE = (openai.APIError, httpx.HTTPError, TimeoutError)


class FallbackModerator:
    def __init__(self, primary: Moderator, fallback: Moderator) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = f"{primary.name}|{fallback.name}"

    async def check_text(self, text: str, *, language: str | None = None) -> Verdict:
        try:
            return await self.primary.check_text(text, language=language)
        except _UNAVAILABLE as exc:
            logger.warning("moderation provider %s unavailable (%s); using %s", self.primary.name, type(exc).__name__, self.fallback.name)
            return await self.fallback.check_text(text, language=language)

    async def check_image(self, data: bytes) -> Verdict:
        try:
            return await self.primary.check_image(data)
        except _UNAVAILABLE as exc:
            logger.warning("moderation provider %s unavailable (%s); using %s", self.primary.name, type(exc).__name__, self.fallback.name)
            return await self.fallback.check_image(data)
