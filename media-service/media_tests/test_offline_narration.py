"""espeak-ng narration: Hindi and English, MP3 that decodes to the recorded duration."""

from __future__ import annotations

import pytest

from media_service.narration.providers import EspeakNarrator
from media_tests.utils.jobs import ENGLISH_STORY, HINDI_STORY, audio_seconds
from storyscape_common.contracts.media import StoryText


@pytest.mark.parametrize("story", [HINDI_STORY, ENGLISH_STORY], ids=["hi", "en"])
async def test_narration_decodes_to_its_recorded_duration(story: StoryText) -> None:
    narration = await EspeakNarrator().narrate(story.text, language=story.language)
    assert narration.content_type == "audio/mpeg"
    assert narration.data[:3] == b"ID3" or narration.data[0] == 0xFF  # an MP3 frame or tag, by content
    assert abs(audio_seconds(narration.data) - narration.duration_s) < 0.3
    assert narration.duration_s > 0.25 * len(story.text.split())  # every word read, none skipped


async def test_hindi_is_read_with_the_hindi_voice() -> None:
    # The Hindi voice reads Devanagari; the English voice would skip it, giving near-silence.
    hindi = await EspeakNarrator().narrate("नमस्ते। आज मौसम बहुत अच्छा है।", language="hi")
    assert hindi.duration_s > 1.5


async def test_nothing_to_read_is_an_error() -> None:
    with pytest.raises(ValueError):
        await EspeakNarrator().narrate("<p></p> **", language="en")
