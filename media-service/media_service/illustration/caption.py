"""Captions drawn with Pillow's raqm layout, so Devanagari conjuncts (क्ष, श्र) and matras are shaped correctly."""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

from media_service.illustration.artwork import FontsMissing

DEVANAGARI = range(0x0900, 0x0980)


def needs_devanagari(text: str) -> bool:
    return any(ord(ch) in DEVANAGARI for ch in text)


@functools.cache
def caption_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """The font with raqm layout; without raqm Pillow would draw Devanagari letter by letter, unshaped."""
    if not features.check("raqm"):
        raise FontsMissing("Pillow was built without raqm: Devanagari cannot be shaped")
    if not Path(path).is_file():
        raise FontsMissing(f"caption font not found: {path}")
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int, *, max_lines: int = 3) -> list[str]:
    """Greedy word wrap measured with the shaped width; an overlong caption ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
    return lines


def draw_caption(draw: ImageDraw.ImageDraw, text: str, *, font: ImageFont.FreeTypeFont, box: tuple[int, int, int, int]) -> None:
    """Centre `text` in `box` (left, top, right, bottom) on a translucent band, wrapped to fit."""
    left, top, right, bottom = box
    draw.rounded_rectangle(box, radius=24, fill=(255, 255, 255, 215))
    lines = wrap(draw, text, font, right - left - 48)
    line_height = int(font.size * 1.45)
    y = top + (bottom - top - line_height * len(lines)) // 2
    for line in lines:
        draw.text(((left + right) // 2, y + line_height // 2), line, font=font, fill=(40, 40, 60), anchor="mm")
        y += line_height
