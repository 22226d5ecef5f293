"""Illustrators behind one interface: OpenAI Images when a key is set, otherwise the offline scene card;
neutral plates (no generative model) when the reader turned AI images off."""

from __future__ import annotations

import asyncio
import base64
import io
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from openai import AsyncOpenAI
from PIL import Image

from media_service.illustration.draw import CardRequest, Fonts, neutral_plate, scene_card

MIN_LONG_SIDE = 768
CONTENT_TYPES = {"PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True, slots=True)
class IllustrationRequest:
    story_text: str
    prompt: str  # what the picture shows (derived from the story by story-service, or by us)
    caption: str  # in the story's language
    genres: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Illustration:
    data: bytes
    content_type: str
    width: int
    height: int


def checked_image(data: bytes) -> Illustration:
    """Accept only a whole PNG or WebP whose long side is at least 768 px, judged by its bytes."""
    with Image.open(io.BytesIO(data)) as probe:
        probe.verify()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        kind, (width, height) = image.format or "", image.size
    if kind not in CONTENT_TYPES:
        raise ValueError(f"illustration is {kind or 'unknown'}, not PNG or WebP")
    if max(width, height) < MIN_LONG_SIDE:
        raise ValueError(f"illustration is {width}x{height}, below {MIN_LONG_SIDE} px on its long side")
    return Illustration(data=data, content_type=CONTENT_TYPES[kind], width=width, height=height)


class Illustrator(ABC):
    name: str

    @abstractmethod
    async def illustrate(self, request: IllustrationRequest) -> Illustration:
        """One picture for the request, checked by content."""


class LocalIllustrator(Illustrator):
    """Offline: a Pillow scene card, or (neutral) a plain plate of the same artwork."""

    def __init__(self, fonts: Fonts, *, neutral: bool = False) -> None:
        self.fonts = fonts
        self.neutral = neutral
        self.name = "neutral" if neutral else "local"

    def _draw(self, request: IllustrationRequest) -> Illustration:
        card = CardRequest(text=f"{request.prompt}\n{request.story_text}", caption=request.caption, genres=request.genres)
        data = neutral_plate(card, self.fonts) if self.neutral else scene_card(card, self.fonts)
        return checked_image(data)

    async def illustrate(self, request: IllustrationRequest) -> Illustration:
        return await asyncio.to_thread(self._draw, request)


class OpenAIIllustrator(Illustrator):
    """`gpt-image-1` or `dall-e-3` through the official client; the caption stays text beside the picture."""

    name = "openai"

    def __init__(self, client: AsyncOpenAI, *, model: str = "gpt-image-1") -> None:
        self.client = client
        self.model = model

    async def illustrate(self, request: IllustrationRequest) -> Illustration:
        prompt = f"A warm, friendly children's storybook illustration, no text or letters. {request.prompt}"
        if self.model == "dall-e-3":
            response = await self.client.images.generate(model=self.model, prompt=prompt, size="1792x1024", n=1, response_format="b64_json")
        else:  # gpt-image-* always answers base64 and takes an output format instead
            response = await self.client.images.generate(model=self.model, prompt=prompt, size="1536x1024", n=1, output_format="png")
        if not response.data or not response.data[0].b64_json:
            raise RuntimeError("the image API returned no picture")
        data = base64.b64decode(response.data[0].b64_json)
        return await asyncio.to_thread(checked_image, data)
