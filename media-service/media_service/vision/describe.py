"""Measured facts (objects, colours, light, composition) as two or three plain sentences, English or Hindi.

Only what was measured is said; when no object was recognised the text says so instead of guessing."""

from __future__ import annotations

from collections import Counter

from media_service.vision.base import DetectedObject, Language
from media_service.vision.coco_names import COCO_NAMES
from media_service.vision.scene import COLOUR_NAMES, Scene

MOST_KINDS = 4
EN_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five"}
HI_NUMBERS = {1: "एक", 2: "दो", 3: "तीन", 4: "चार", 5: "पाँच"}
EN_LIGHT = {"bright": "It looks like daytime, in bright light.", "dim": "The light is soft and dim, like evening.",
            "night": "It is dark, like night-time."}  # fmt: skip
HI_LIGHT = {"bright": "दिन का उजाला है।", "dim": "हल्की रोशनी है, जैसे शाम हो।", "night": "अँधेरा है, जैसे रात हो।"}
EN_POSITION = {"left": " on the left", "centre": " in the middle", "right": " on the right"}
HI_POSITION = {"left": "मुख्य चीज़ बाईं ओर है।", "centre": "मुख्य चीज़ बीच में है।", "right": "मुख्य चीज़ दाईं ओर है।"}


def _counted(objects: list[DetectedObject]) -> list[tuple[str, int]]:
    """(label, how many), the kinds filling most of the picture first."""
    counts = Counter(o.label for o in objects)
    area: dict[str, float] = {}
    for o in objects:
        area[o.label] = area.get(o.label, 0.0) + o.box[2] * o.box[3]
    biggest = sorted(area, key=lambda label: -area[label])[:MOST_KINDS]
    return [(label, counts[label]) for label in biggest]


def _join(parts: list[str], last: str) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {last} " + parts[-1]


def _english_item(label: str, count: int) -> str:
    names = COCO_NAMES[label]
    if count == 1:
        return ("an " if names.en[0] in "aeiou" else "a ") + names.en
    return f"{EN_NUMBERS.get(count, 'several')} {names.en_plural}"


def _hindi_item(label: str, count: int) -> str:
    names = COCO_NAMES[label]
    return f"{HI_NUMBERS.get(count, 'कई')} {names.hi if count == 1 else names.hi_plural}"


def describe_english(objects: list[DetectedObject], scene: Scene) -> str:
    sentences = []
    if objects:
        things = _join([_english_item(label, n) for label, n in _counted(objects)], "and")
        where = "" if scene.close_up or scene.main_position is None else EN_POSITION[scene.main_position]
        sentences.append(f"The photo is a close-up of {things}." if scene.close_up else f"The photo shows {things}{where}.")
    else:
        sentences.append("I could not recognise any objects in this photo.")
    sentences.append(EN_LIGHT[scene.light])
    if scene.colours:
        mostly = f"It is mostly {scene.colours[0]}."
        sentences.append(f"The main colours are {_join(scene.colours, 'and')}." if len(scene.colours) > 1 else mostly)
    return " ".join(sentences)


def describe_hindi(objects: list[DetectedObject], scene: Scene) -> str:
    sentences = []
    if objects:
        counted = _counted(objects)
        verb = "है" if len(counted) == 1 and counted[0][1] == 1 else "हैं"
        sentences.append(f"इस तस्वीर में {_join([_hindi_item(label, n) for label, n in counted], 'और')} {verb}।")
        if scene.close_up:
            sentences.append("यह पास से ली गई तस्वीर है।")
        elif scene.main_position is not None:
            sentences.append(HI_POSITION[scene.main_position])
    else:
        sentences.append("इस तस्वीर में मैं कोई चीज़ पहचान नहीं पाया।")
    sentences.append(HI_LIGHT[scene.light])
    if scene.colours:
        colours = [COLOUR_NAMES[c] for c in scene.colours]
        sentences.append(f"मुख्य रंग {_join(colours, 'और')} हैं।" if len(colours) > 1 else f"ज़्यादातर {colours[0]} रंग है।")
    return " ".join(sentences)


def describe(objects: list[DetectedObject], scene: Scene, language: Language) -> str:
    return describe_hindi(objects, scene) if language == "hi" else describe_english(objects, scene)
