"""What can be measured in any photo, recognised objects or not: dominant colours, brightness, where the
main subject sits and how much of the frame it fills."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import Literal, cast

from PIL import Image

from media_service.vision.base import DetectedObject

Light = Literal["night", "dim", "bright"]
Position = Literal["left", "centre", "right"]

COLOUR_NAMES = {
    "black": "काला", "white": "सफ़ेद", "grey": "स्लेटी", "red": "लाल", "orange": "नारंगी", "yellow": "पीला",
    "green": "हरा", "blue": "नीला", "purple": "बैंगनी", "pink": "गुलाबी", "brown": "भूरा",
}  # fmt: skip
MIN_COLOUR_SHARE = 0.12


@dataclass(frozen=True)
class Scene:
    colours: list[str]  # English colour names, most of the picture first
    light: Light
    main_position: Position | None
    close_up: bool


def colour_name(red: int, green: int, blue: int) -> str:
    hue, lightness, saturation = colorsys.rgb_to_hls(red / 255, green / 255, blue / 255)
    if lightness < 0.15:
        return "black"
    if lightness > 0.88:
        return "white"
    if saturation < 0.18:
        return "grey"
    degrees = hue * 360
    if degrees < 15 or degrees >= 330:
        return "pink" if lightness > 0.7 else "red"
    if degrees < 45:
        return "brown" if lightness < 0.4 else "orange"
    if degrees < 70:
        return "yellow"
    if degrees < 165:
        return "green"
    if degrees < 255:
        return "blue"
    return "purple" if degrees < 290 else "pink"


def dominant_colours(image: Image.Image, most: int = 3) -> list[str]:
    small = image.convert("RGB").resize((64, 64))
    palette_image = small.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    palette = palette_image.getpalette() or []
    shares: dict[str, float] = {}
    for count, index in palette_image.getcolors() or []:
        start = cast(int, index) * 3  # a palette image's "colours" are palette indexes
        r, g, b = palette[start : start + 3]
        name = colour_name(r, g, b)
        shares[name] = shares.get(name, 0.0) + count / (64 * 64)
    ranked = sorted(shares.items(), key=lambda item: -item[1])
    return [name for name, share in ranked if share >= MIN_COLOUR_SHARE][:most]


def light_of(image: Image.Image) -> Light:
    mean = sum(i * n for i, n in enumerate(image.convert("L").resize((64, 64)).histogram())) / (64 * 64)
    return "night" if mean < 55 else "dim" if mean < 100 else "bright"


def measure(image: Image.Image, objects: list[DetectedObject]) -> Scene:
    main = max(objects, key=lambda o: o.box[2] * o.box[3], default=None)
    position: Position | None = None
    close_up = False
    if main is not None:
        centre = main.box[0] + main.box[2] / 2
        position = "left" if centre < 0.36 else "right" if centre > 0.64 else "centre"
        close_up = main.box[2] * main.box[3] > 0.45
    return Scene(dominant_colours(image), light_of(image), position, close_up)
