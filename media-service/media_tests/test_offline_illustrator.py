"""The offline illustrator: artwork chosen from English and Hindi keywords, genre backgrounds, shaped Devanagari
captions, and pictures that are PNGs of at least 768 px judged by their bytes."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFont

from media_service.illustration.caption import caption_font
from media_service.illustration.keywords import find_artwork, mood_of, sky_for
from media_service.illustration.providers import IllustrationRequest, LocalIllustrator, checked_image
from media_service.providers import create_providers
from media_service.settings import Settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(_env_file=None, environment="development")


def test_keywords_in_english_and_hindi_pick_the_artwork() -> None:
    assert find_artwork("The elephant met a monkey. The elephant smiled.", limit=3) == ["🐘", "🐒"]
    assert find_artwork("हाथियों का झुंड जंगल में था और एक बंदर पेड़ पर बैठा था।", limit=3) == ["🐘", "🌲", "🐒"]
    assert find_artwork("घरेलू काम", limit=3) == []  # a short stem (घर) matches whole words only


def test_background_and_mood_follow_genre_and_text() -> None:
    assert sky_for(["space", "animals"]) != sky_for(["animals"])
    assert mood_of("रात में अंधेरा था और सब डर गए") == "scary"
    assert mood_of("They laughed and were happy") == "happy"


def test_devanagari_conjuncts_are_shaped_not_drawn_letter_by_letter(settings: Settings) -> None:
    font = caption_font(settings.devanagari_font, 64)
    basic = ImageFont.truetype(settings.devanagari_font, 64, layout_engine=ImageFont.Layout.BASIC)
    for conjunct, (first, second) in (("क्ष", ("क", "ष")), ("श्र", ("श", "र"))):
        separate = font.getlength(first) + font.getlength(second)
        assert font.getlength(conjunct) < 0.75 * separate  # one ligature glyph
        assert basic.getlength(conjunct) >= 0.95 * separate  # what unshaped layout would draw


@pytest.mark.parametrize("neutral", [False, True], ids=["scene", "neutral"])
async def test_pictures_are_pngs_of_at_least_768_px(settings: Settings, neutral: bool) -> None:
    providers = create_providers(settings)
    illustrator = providers.neutral if neutral else providers.illustrator
    assert isinstance(illustrator, LocalIllustrator) and illustrator.neutral is neutral
    request = IllustrationRequest(
        story_text="एक हाथी और एक बंदर नदी के किनारे खेलते थे।", prompt="हाथी और बंदर", caption="क्षमा और श्रम", genres=["animals"]
    )
    picture = await illustrator.illustrate(request)
    with Image.open(io.BytesIO(picture.data)) as image:
        assert image.format == "PNG" and max(image.size) >= 768
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 500  # drawn artwork, not a flat card


def test_content_check_refuses_small_or_foreign_images() -> None:
    for size, fmt in (((512, 512), "PNG"), ((1024, 768), "JPEG")):
        buffer = io.BytesIO()
        Image.new("RGB", size).save(buffer, format=fmt)
        with pytest.raises(ValueError):
            checked_image(buffer.getvalue())
    with pytest.raises(Exception):  # noqa: B017 - Pillow raises its own error types for bytes that are not images
        checked_image(b"\x89PNG\r\n\x1a\nnot really")
