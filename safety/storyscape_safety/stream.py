"""Moderating a story while it is generated: check every sentence or so, stop as soon as it turns unsafe.

    guard = StreamGuard(moderator, language="hi")
    async for piece in guard.checked(model_deltas):   # yields text only after it was checked
        await send(piece)
    # raises ContentBlocked (with the verdict) the moment a checked window is unsafe

or, to keep your own loop: `verdict = await guard.feed(delta)` (None until a sentence completed) and
`await guard.finish()` at the end for the unfinished tail.

Each check looks at the new sentences plus the piece before them, so a phrase split across a sentence
boundary ("... I will. Kill you ...") is still seen. A sentence still going after `piece_chars` is checked and
released up to its last space (whole words only), so a long sentence still streams; text with no space at all
is checked every `max_chars`.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from storyscape_safety.blocking import ContentBlocked
from storyscape_safety.text import split_sentences
from storyscape_safety.types import Moderator, Verdict

DEFAULT_MAX_CHARS = 400
DEFAULT_PIECE_CHARS = 48  # about eight words: the reader sees a long sentence grow


class StreamGuard:
    def __init__(
        self,
        moderator: Moderator,
        *,
        language: str | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        piece_chars: int = DEFAULT_PIECE_CHARS,
    ) -> None:
        self.moderator = moderator
        self.language = language
        self.max_chars = max_chars
        self.piece_chars = min(piece_chars, max_chars)
        self.checks = 0
        self._pending = ""  # received, not yet checked
        self._previous = ""  # the last checked sentence, for context
        self._last_checked = ""
        self.blocked: Verdict | None = None

    async def feed(self, delta: str) -> Verdict | None:
        """Add generated text; check it when a sentence completed (or a long one reached `piece_chars`).
        Returns the verdict if a check ran."""
        if self.blocked:
            return self.blocked
        self._pending += delta
        sentences, rest = split_sentences(self._pending)
        if sentences:
            ready, self._pending = "".join(sentences), rest
        elif len(rest) >= self.piece_chars and (cut := _after_last_space(rest)) > 0:
            ready, self._pending = rest[:cut], rest[cut:]
        elif len(rest) >= self.max_chars:
            ready, self._pending = rest, ""
        else:
            return None
        return await self._check(ready)

    async def finish(self) -> Verdict | None:
        """Check whatever is left after the last sentence end (None when nothing was left)."""
        if self.blocked:
            return self.blocked
        rest, self._pending = self._pending, ""
        return await self._check(rest) if rest.strip() else None

    async def checked(self, deltas: AsyncIterable[str]) -> AsyncIterator[str]:
        """Yield the text in checked pieces; raise ContentBlocked when a piece is unsafe (nothing of it yielded)."""
        async for delta in deltas:
            if (verdict := await self.feed(delta)) is not None:
                yield self._release(verdict)
        if (verdict := await self.finish()) is not None:
            yield self._release(verdict)

    def _release(self, verdict: Verdict) -> str:
        if verdict.blocked:
            raise ContentBlocked(verdict)
        return self._last_checked

    async def _check(self, text: str) -> Verdict:
        self.checks += 1
        verdict = await self.moderator.check_text(self._previous + text, language=self.language)
        self._last_checked = text
        sentences, rest = split_sentences(text)
        self._previous = (sentences[-1] if sentences else rest)[-self.max_chars :]
        if verdict.blocked:
            self.blocked = verdict
        return verdict


def _after_last_space(text: str) -> int:
    """Where the last whole word of `text` ends (after its trailing space); 0 when there is no space."""
    for index in range(len(text) - 1, 0, -1):
        if text[index].isspace():
            return index + 1
    return 0
