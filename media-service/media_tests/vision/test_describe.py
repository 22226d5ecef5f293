"""Sentences built from detections: counts, plurals, position and close-ups in both languages."""

from __future__ import annotations

from media_service.vision.base import DetectedObject
from media_service.vision.describe import describe
from media_service.vision.scene import Scene


def seen(label: str, x: float, width: float = 0.2) -> DetectedObject:
    return DetectedObject(label, 0.8, (x, 0.3, width, 0.4))


def test_counts_and_plurals() -> None:
    objects = [seen("dog", 0.05), seen("dog", 0.2), seen("person", 0.1, 0.1)]
    scene = Scene(["green"], "bright", "left", False)
    assert describe(objects, scene, "en").startswith("The photo shows two dogs and a person on the left.")
    assert describe(objects, scene, "hi").startswith("इस तस्वीर में दो कुत्ते और एक व्यक्ति हैं। मुख्य चीज़ बाईं ओर है।")


def test_a_single_thing_close_up() -> None:
    objects = [DetectedObject("elephant", 0.9, (0.0, 0.0, 1.0, 0.9))]
    scene = Scene(["grey", "brown"], "dim", "centre", True)
    assert describe(objects, scene, "en") == (
        "The photo is a close-up of an elephant. The light is soft and dim, like evening. The main colours are grey and brown."
    )
    assert describe(objects, scene, "hi") == (
        "इस तस्वीर में एक हाथी है। यह पास से ली गई तस्वीर है। हल्की रोशनी है, जैसे शाम हो। मुख्य रंग स्लेटी और भूरा हैं।"
    )
