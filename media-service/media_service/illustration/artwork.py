"""Open-licensed artwork for offline pictures: Noto Color Emoji (Debian `fonts-noto-color-emoji`).

The emoji images are Apache-2.0 and the font file SIL OFL 1.1 (see the package's copyright file); both allow
drawing them into our pictures. Glyphs are rendered at the font's native bitmap size and scaled.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

EMOJI_BITMAP_SIZE = 109  # Noto Color Emoji ships CBDT bitmaps at this size only


class FontsMissing(RuntimeError):
    """The fonts the offline illustrator draws with are not installed (`make setup` installs them)."""


@functools.cache
def emoji_font(path: str) -> ImageFont.FreeTypeFont:
    if not Path(path).is_file():
        raise FontsMissing(f"emoji font not found: {path}")
    return ImageFont.truetype(path, EMOJI_BITMAP_SIZE)


@functools.cache
def _glyph(path: str, emoji: str) -> Image.Image:
    font = emoji_font(path)
    canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((10, 10), emoji, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        raise ValueError(f"the emoji font has no picture for {emoji!r}")
    return canvas.crop(box)


def glyph(path: str, emoji: str, size: int) -> Image.Image:
    """The emoji's picture, scaled so its longer side is `size` pixels."""
    image = _glyph(path, emoji)
    scale = size / max(image.size)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS)
