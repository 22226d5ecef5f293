"""The moderation vocabulary every provider speaks: categories, a verdict, and the provider interface."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Category(StrEnum):
    VIOLENCE = "violence"
    SEXUAL = "sexual"
    SELF_HARM = "self-harm"
    HATE = "hate"
    DRUGS = "drugs"
    PROFANITY = "profanity"


@dataclass(frozen=True)
class Verdict:
    """Allowed, or blocked with the categories that tripped. `scores` (0..1) and `rules` (which lexicon entry,
    classifier or provider category fired: `violence:14`, `classifier:profanity`, `openai:harassment`) are for
    logs and metrics only: they must never reach a client, since they would help someone probe the filter."""

    allowed: bool
    categories: frozenset[Category] = frozenset()
    provider: str = ""
    scores: Mapping[Category, float] = field(default_factory=dict)
    rules: frozenset[str] = frozenset()

    @property
    def blocked(self) -> bool:
        return not self.allowed

    @classmethod
    def allow(cls, provider: str, scores: Mapping[Category, float] | None = None) -> Verdict:
        return cls(True, frozenset(), provider, dict(scores or {}))

    @classmethod
    def block(
        cls,
        provider: str,
        categories: set[Category] | frozenset[Category],
        scores: Mapping[Category, float] | None = None,
        rules: set[str] | frozenset[str] = frozenset(),
    ) -> Verdict:
        if not categories:
            raise ValueError("a blocked verdict names at least one category")
        return cls(False, frozenset(categories), provider, dict(scores or {}), frozenset(rules))

    def merged(self, other: Verdict) -> Verdict:
        """Blocked if either is; categories and the highest scores of both."""
        scores = dict(self.scores)
        for category, score in other.scores.items():
            scores[category] = max(score, scores.get(category, 0.0))
        categories = self.categories | other.categories
        provider = "+".join(p for p in (self.provider, other.provider) if p)
        return Verdict(not categories, categories, provider, scores, self.rules | other.rules)


class Moderator(Protocol):
    """What story-service, media-service and the gateway call. Implementations never block the event loop."""

    name: str

    async def check_text(self, text: str, *, language: str | None = None) -> Verdict:
        """Judge a prompt, a story, a sentence of a stream, a caption. `language` ("en"/"hi") is a hint only."""
        ...

    async def check_image(self, data: bytes) -> Verdict:
        """Judge an image (JPEG/PNG/WebP bytes, already checked by media-service's uploads)."""
        ...
