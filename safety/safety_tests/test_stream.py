"""A story is checked sentence by sentence while it is generated; generation stops at the first unsafe one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storyscape_safety import Category, ContentBlocked, OfflineModerator, StreamGuard

SAFE_STORY = "एक था बाघ। वह हिरण का शिकार करना चाहता था! पर हिरण भाग गया। सब खुश थे"
UNSAFE_STORY = "Once there was a fox. He was kind. Then he said: I will kill you all. The end. More text."


class Deltas:
    """A model's output in small pieces, counting how many pieces were asked for."""

    def __init__(self, text: str, size: int = 3) -> None:
        self.pieces = [text[i : i + size] for i in range(0, len(text), size)]
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[str]:
        for piece in self.pieces:
            self.pulled += 1
            yield piece


async def test_a_safe_story_comes_through_whole_checked_once_per_sentence(offline: OfflineModerator) -> None:
    guard = StreamGuard(offline, language="hi")
    released = [piece async for piece in guard.checked(Deltas(SAFE_STORY))]
    assert "".join(released) == SAFE_STORY
    assert guard.checks == 4  # three finished sentences, then the unfinished tail at the end


async def test_generation_stops_at_the_unsafe_sentence_and_it_is_never_released(offline: OfflineModerator) -> None:
    deltas = Deltas(UNSAFE_STORY)
    released: list[str] = []
    with pytest.raises(ContentBlocked) as blocked:
        async for piece in StreamGuard(offline, language="en").checked(deltas):
            released.append(piece)
    assert "".join(released) == "Once there was a fox. He was kind. "
    assert Category.VIOLENCE in blocked.value.verdict.categories
    assert deltas.pulled < len(deltas.pieces)  # the rest of the story was never asked for


async def test_a_long_sentence_is_checked_before_it_ends(offline: OfflineModerator) -> None:
    guard = StreamGuard(offline, max_chars=40)
    verdicts = [await guard.feed(piece) for piece in ["and then " * 6, "he said madarchod and ran on and on ", "and on"]]
    assert any(v is not None and v.blocked for v in verdicts)


async def test_a_long_sentence_streams_in_whole_words_before_it_ends(offline: OfflineModerator) -> None:
    sentence = (
        "Once upon a time in a cozy little house at the edge of a green meadow there lived a curious kitten "
        "named Whiskers who loved her red ball more than anything and carried it everywhere she went"
    )
    deltas = Deltas(sentence, size=4)
    released = [piece async for piece in StreamGuard(offline, language="en").checked(deltas)]
    assert "".join(released) == sentence
    assert len(released) >= 2  # the reader sees it grow, not all at once at the end
    assert all(piece.endswith(" ") for piece in released[:-1])  # never half a word
    assert all(len(piece) < len(sentence) for piece in released)


async def test_feed_and_finish_for_callers_with_their_own_loop(offline: OfflineModerator) -> None:
    guard = StreamGuard(offline, language="hi")
    assert await guard.feed("उल्लू ने कहा") is None  # no sentence finished yet: nothing checked
    verdict = await guard.feed("। ")
    assert verdict is not None and verdict.allowed
    assert await guard.feed("फिर वह बोला, तू चूतिया है") is None
    final = await guard.finish()
    assert final is not None and final.blocked
