"""The vision interface: a photo in, a short description in the story's language out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Language = Literal["en", "hi"]


@dataclass(frozen=True)
class DetectedObject:
    label: str  # COCO class name, English ("person", "dog", ...)
    confidence: float
    box: tuple[float, float, float, float]  # x, y, width, height as fractions of the image


@dataclass(frozen=True)
class ImageDescription:
    """What the vision step understood. `text` goes into the story prompt and is shown to the reader."""

    text: str
    language: Language
    provider: str
    objects: list[DetectedObject] = field(default_factory=list)
    recognised: bool = True  # False when nothing in the photo could be named


class VisionProvider(Protocol):
    name: str

    async def describe(self, image: bytes, *, language: Language) -> ImageDescription:
        """Describe a (cleaned) JPEG/PNG/WebP photo; blocking work never runs on the event loop."""
        ...
