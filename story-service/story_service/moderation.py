"""Child safety in the story saga: the prompt before any model call, the text while it streams, the finished
story before it is saved. `SAFETY_*` settings pick the provider (OpenAI when a key is set, else offline)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from prometheus_client import CollectorRegistry, Counter
from pydantic import SecretStr

from storyscape_common.sse import encode_event
from storyscape_safety import (
    ContentBlocked,
    Moderator,
    SafetySettings,
    StreamGuard,
    blocked_message,
    create_moderator,
    raise_if_blocked,
    record_block,
)

__all__ = [
    "ContentBlocked",
    "Regenerations",
    "blocked_event",
    "check_prompt",
    "check_story",
    "checked_pieces",
    "restarted_event",
    "story_moderator",
]

logger = logging.getLogger("story_service.moderation")


async def check_prompt(moderator: Moderator, prompt: str, *, language: str) -> None:
    """422 `content_blocked` (counted, logged without the text) before anything is generated or saved."""
    raise_if_blocked(await moderator.check_text(prompt, language=language), source="prompt", language=language)


async def _chained(first: str, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    yield first
    async for piece in rest:
        yield piece


async def checked_pieces(moderator: Moderator, first: str, rest: AsyncIterator[str], *, language: str) -> AsyncIterator[str]:
    """The story's text one checked sentence at a time; raises ContentBlocked (and stops asking the model for
    more) at the first unsafe one, which is never released."""
    guard = StreamGuard(moderator, language=language)
    try:
        async for piece in guard.checked(_chained(first, rest)):
            yield piece
    except ContentBlocked as blocked:
        record_block(blocked.verdict, source="stream")
        raise


async def check_story(moderator: Moderator, text: str, *, language: str) -> None:
    """The whole story once more before it is saved: raises ContentBlocked when it is unsafe as a whole."""
    verdict = await moderator.check_text(text, language=language)
    if verdict.blocked:
        record_block(verdict, source="story")
        raise ContentBlocked(verdict)


def blocked_event(language: str) -> bytes:
    """The in-band refusal once the stream has begun: a kind message, nothing saved."""
    return encode_event("error", {"code": "content_blocked", "message": blocked_message(language)})


def restarted_event() -> bytes:
    """Tells the client to discard the text shown so far: the story is being written again."""
    return encode_event("story.restarted", {"reason": "content_blocked"})


class Regenerations:
    """Stories written once more after a block, by outcome: counted, and logged with the story id (never the text)."""

    OUTCOMES = ("recovered", "blocked", "failed")

    def __init__(self, registry: CollectorRegistry) -> None:
        self.total = Counter(
            "storyscape_story_regenerations_total",
            "Stories regenerated after a block: recovered (saved), blocked again, or failed (the model stopped)",
            ["outcome"],
            registry=registry,
        )
        for outcome in self.OUTCOMES:
            self.total.labels(outcome=outcome)  # every outcome is exported from the start, at 0

    def record(self, *, story_id: str, outcome: str) -> None:
        self.total.labels(outcome=outcome).inc()
        logger.info("story regenerated", extra={"fields": {"story_id": story_id, "outcome": outcome}})


def story_moderator(openai_api_key: str, openai_base_url: str) -> Moderator:
    """`SAFETY_*` settings decide; without a moderation key, story-service's own OpenAI key (and base URL) is used."""
    settings = SafetySettings()
    if settings.openai_api_key is None and openai_api_key:
        settings = SafetySettings(openai_api_key=SecretStr(openai_api_key), openai_base_url=openai_base_url or None)
    return create_moderator(settings)
