"""No input can stall moderation: every public check finishes in time linear in its input.

The offline moderator used to backtrack exponentially on a long Devanagari word (each extra letter doubled
the time; 40 letters took days), and Python's `re` holds the GIL, so one prompt froze every story on the
process. Here random and adversarial strings of up to 20,000 characters (Devanagari runs, asterisks, mixed
scripts, combining marks, invisible characters) go through `check_text`, the stream guard and the
masked-word check, and each call must finish within `BOUND_S` of CPU time.

The bound is about 5x the worst case `bench/bench_safety.py` measures on this machine (~40 ms for 20,000
characters), so a noisy machine does not fail it, while anything super-linear (seconds, then days) does.
CPU time of this thread is measured, not wall time, so other processes on the machine do not count.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storyscape_safety import OfflineModerator, StreamGuard, Verdict
from storyscape_safety.text import has_masked_word, words

BOUND_S = 0.25
MAX_CHARS = 20_000

# Pieces an adversary (or a rambling model) repeats: Devanagari letters, matras, virama and nukta, asterisks,
# Latin, look-alikes, combining marks, format characters, separators.
FRAGMENTS = [
    "क", "ष", "ि", "्", "़", "ं", "कि", "क्ष", "*", "**", "***", "a", "k", "i", "l", " ", ".", "-", "\n",
    "\u0308", "\u034f", "\u200d", "\u200e", "\ufe0f", "\U000e0041", "і", "к", "ｋ", "𝐤", "।", "मार", "kill ",
    "च ू त ", "k i l l ", "f***", "भो***के", "a*", "ab*", "उल्लू", "\u0915\u093c",
]  # fmt: skip

runs = st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, MAX_CHARS)), min_size=1, max_size=6).map(
    lambda parts: "".join(fragment * count for fragment, count in parts)[:MAX_CHARS]
)
random_text = st.text(max_size=2_000)
adversarial = runs | random_text | st.lists(st.sampled_from(FRAGMENTS), max_size=400).map("".join)

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KNOWN_STALLS = [
    "क" * MAX_CHARS,  # one Devanagari letter repeated: the old masked-word pattern's exponential case
    "अंतर्राष्ट्रीयकरणविरोधीसंगठनाध्यक्षपदप्रत्याशीसमर्थकवर्गप्रतिनिधिमंडलसदस्यतानवीनीकरणप्रक्रिया" * 200,
    ("क" * 40 + "*") * 480,
    "a*" * (MAX_CHARS // 2),
    "k " * (MAX_CHARS // 2),
    "a" + "\u0308" * (MAX_CHARS - 1),
]


def cpu_seconds(call: Callable[[], object]) -> float:
    started = time.thread_time()
    call()
    return time.thread_time() - started


class InlineModerator:
    """The offline moderator run in this thread, so the stream guard's checks count in this thread's CPU time."""

    name = "offline-inline"

    def __init__(self, offline: OfflineModerator) -> None:
        self.offline = offline

    async def check_text(self, text: str, *, language: str | None = None) -> Verdict:
        return self.offline.check_text_sync(text)

    async def check_image(self, data: bytes) -> Verdict:
        return self.offline.check_image_sync(data)


@pytest.fixture(scope="module")
def warm(offline: OfflineModerator) -> OfflineModerator:
    offline.check_text_sync("warm up the lexicon and the classifier")
    return offline


@pytest.mark.parametrize("text", KNOWN_STALLS, ids=lambda t: f"{t[:6]!r}x{len(t)}")
def test_known_stalls_finish_in_bounded_time(warm: OfflineModerator, text: str) -> None:
    assert cpu_seconds(lambda: warm.check_text_sync(text)) < BOUND_S
    assert cpu_seconds(lambda: has_masked_word(text)) < BOUND_S


def test_a_60_letter_devanagari_word_takes_as_long_as_a_short_one(warm: OfflineModerator) -> None:
    """The reported freeze: 20 letters took 0.24 s and each extra letter doubled it."""
    word = "अंतर्राष्ट्रीयकरणविरोधीसंगठनाध्यक्षपदप्रत्याशीसमर्थकवर्गप्रतिनिधि"[:60]
    assert len(word) == 60 and "*" not in word
    verdict = warm.check_text_sync(word)
    assert verdict.allowed
    assert cpu_seconds(lambda: warm.check_text_sync(word)) < 0.02


@PROPERTY
@given(text=adversarial)
@example(text=KNOWN_STALLS[0])
def test_check_text_is_bounded(warm: OfflineModerator, text: str) -> None:
    assert cpu_seconds(lambda: warm.check_text_sync(text)) < BOUND_S


@PROPERTY
@given(text=adversarial)
def test_masked_word_and_word_splitting_are_bounded(text: str) -> None:
    assert cpu_seconds(lambda: has_masked_word(text)) < BOUND_S
    assert cpu_seconds(lambda: words(text)) < BOUND_S


@PROPERTY
@given(text=adversarial, chunk=st.integers(1, 64))
def test_each_stream_guard_step_is_bounded(warm: OfflineModerator, text: str, chunk: int) -> None:
    """A model's output, fed as it streams: no single delta's check (or the final one) can stall."""
    import asyncio

    async def stream() -> None:
        guard = StreamGuard(InlineModerator(warm), language="hi")
        for start in range(0, len(text), chunk):
            delta = text[start : start + chunk]
            started = time.thread_time()
            verdict = await guard.feed(delta)
            assert time.thread_time() - started < BOUND_S
            if verdict is not None and verdict.blocked:
                return
        started = time.thread_time()
        await guard.finish()
        assert time.thread_time() - started < BOUND_S

    asyncio.run(stream())
