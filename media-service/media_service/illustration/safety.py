"""Generated pictures (OpenAI or the offline scene card) are checked with the image classifier before they are
stored: an unsafe one is replaced by the neutral plate, counted and logged without its content, never shown.

The neutral plate itself is not checked: it is a plain plate of our own emoji artwork with no generative model behind
it, and it is what an unsafe picture falls back to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from media_service.illustration.providers import Illustration, IllustrationRequest, Illustrator
from storyscape_safety import Moderator, record_block

logger = logging.getLogger("media_service.illustration")


@dataclass(frozen=True, slots=True)
class CheckedIllustration:
    picture: Illustration
    provider: str  # who drew the stored picture: the illustrator, or the neutral plate's after a replacement
    replaced: bool


class IllustrationCheck:
    """The image classifier between an illustrator and the store."""

    def __init__(self, *, moderator: Moderator, neutral: Illustrator, registry: CollectorRegistry) -> None:
        self.moderator = moderator
        self.neutral = neutral
        self.replaced = Counter(
            "storyscape_illustrations_replaced_total",
            "Generated illustrations the image classifier refused, stored as the neutral plate instead",
            ["provider"],
            registry=registry,
        )

    async def illustrate(self, request: IllustrationRequest, *, illustrator: Illustrator, job_id: str) -> CheckedIllustration:
        """The illustrator's picture if the classifier allows it, else the neutral plate for the same request."""
        picture = await illustrator.illustrate(request)
        verdict = await self.moderator.check_image(picture.data)  # in a thread: the classifier is CPU work
        if verdict.allowed:
            return CheckedIllustration(picture=picture, provider=illustrator.name, replaced=False)
        record_block(verdict, source="illustration")
        self.replaced.labels(provider=illustrator.name).inc()
        categories = sorted(category.value for category in verdict.categories)
        logger.warning(
            "generated illustration refused by the image check; storing the neutral plate",
            extra={"fields": {"job_id": job_id, "provider": illustrator.name, "categories": categories}},
        )
        return CheckedIllustration(picture=await self.neutral.illustrate(request), provider=self.neutral.name, replaced=True)
