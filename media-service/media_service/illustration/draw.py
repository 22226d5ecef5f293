"""Offline pictures drawn with Pillow: a scene card (keyword artwork in a landscape) and a neutral plate."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from media_service.illustration.artwork import glyph
from media_service.illustration.caption import caption_font, draw_caption, needs_devanagari
from media_service.illustration.keywords import emblem_for, find_artwork, mood_of, sky_for

WIDTH, HEIGHT = 1024, 768
MOOD_TINT = {"happy": (255, 230, 120, 40), "sad": (60, 80, 140, 70), "scary": (20, 10, 40, 90), "calm": (0, 0, 0, 0)}
GROUND = {"happy": "#7cc36b", "sad": "#6f8f86", "scary": "#3b4a3b", "calm": "#8ccf7e"}


@dataclass(frozen=True, slots=True)
class Fonts:
    emoji: str
    latin: str
    devanagari: str

    def caption(self, text: str, size: int = 34) -> str:
        return self.devanagari if needs_devanagari(text) else self.latin


@dataclass(frozen=True, slots=True)
class CardRequest:
    text: str  # the story text, or the slot's prompt: where the artwork comes from
    caption: str
    genres: list[str]


def _gradient(top: str, bottom: str) -> Image.Image:
    start, end = Image.new("RGB", (1, 1), top).getpixel((0, 0)), Image.new("RGB", (1, 1), bottom).getpixel((0, 0))
    assert isinstance(start, tuple) and isinstance(end, tuple)
    column = Image.new("RGB", (1, HEIGHT))
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True)))
    return column.resize((WIDTH, HEIGHT)).convert("RGBA")


def _caption(image: Image.Image, fonts: Fonts, caption: str) -> None:
    if caption.strip():
        font = caption_font(fonts.caption(caption), 34)
        draw_caption(ImageDraw.Draw(image), caption.strip(), font=font, box=(48, HEIGHT - 190, WIDTH - 48, HEIGHT - 36))


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def scene_card(request: CardRequest, fonts: Fonts) -> bytes:
    """A landscape: sky by genre, ground and tint by mood, up to three keyword figures, the caption below."""
    mood = mood_of(request.text)
    image = _gradient(*sky_for(request.genres))
    draw = ImageDraw.Draw(image)
    draw.ellipse((-200, HEIGHT - 330, WIDTH + 200, HEIGHT + 300), fill=GROUND[mood])
    figures = find_artwork(request.text, limit=3) or [emblem_for(request.genres)]
    sizes = [300, 210, 170][: len(figures)]
    slots = [(WIDTH // 2, 330), (WIDTH // 5, 390), (WIDTH * 4 // 5, 400)]
    for emoji, size, (cx, cy) in reversed(list(zip(figures, sizes, slots, strict=False))):
        figure = glyph(fonts.emoji, emoji, size)
        image.alpha_composite(figure, (cx - figure.width // 2, cy - figure.height // 2))
    image.alpha_composite(Image.new("RGBA", image.size, MOOD_TINT[mood]))
    _caption(image, fonts, request.caption)
    return encode_png(image)


def neutral_plate(request: CardRequest, fonts: Fonts) -> bytes:
    """No scene, nothing pretending to be generated: the genre emblem and the story's main figure on a plain plate."""
    image = _gradient(*sky_for(request.genres))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((32, 32, WIDTH - 32, HEIGHT - 32), radius=40, outline=(255, 255, 255, 230), width=10)
    emblem = glyph(fonts.emoji, emblem_for(request.genres), 150)
    image.alpha_composite(emblem, (80, 80))
    main = find_artwork(request.text, limit=1)
    figure = glyph(fonts.emoji, main[0] if main else emblem_for(request.genres), 280)
    image.alpha_composite(figure, (WIDTH // 2 - figure.width // 2, 300 - figure.height // 2))
    _caption(image, fonts, request.caption)
    return encode_png(image)
