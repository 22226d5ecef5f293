"""Token ids to streamed text: incremental decoding and stop strings, never sending half a character or half a stop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Decoder(Protocol):
    def decode(self, token_ids: Sequence[int], *, skip_special_tokens: bool) -> str: ...


class TextStream:
    """Turns one generation's tokens into text deltas, holding back what a later token may still change."""

    def __init__(self, decoder: Decoder, stop: Sequence[str]) -> None:
        self._decoder = decoder
        self._stop = [s for s in stop if s]
        self._ids: list[int] = []
        self._prefix_offset = 0
        self._read_offset = 0
        self._text = ""
        self._emitted = 0
        self.stopped = False

    def add(self, token_id: int) -> str:
        """Feed one generated token; returns the text that is now safe to send (maybe empty)."""
        self._ids.append(token_id)
        self._text += self._decode_new(final=False)
        return self._release()

    def finish(self) -> str:
        """The generation ended: flush what was held back (trailing bytes, a partial stop string)."""
        if not self.stopped:
            self._text += self._decode_new(final=True)
            self._find_stop()
        tail = self._text[self._emitted :]
        self._emitted = len(self._text)
        return tail

    def _decode_new(self, *, final: bool) -> str:
        # Decode a small window so byte-level tokens that only make a character together are judged together.
        before = self._decoder.decode(self._ids[self._prefix_offset : self._read_offset], skip_special_tokens=True)
        after = self._decoder.decode(self._ids[self._prefix_offset :], skip_special_tokens=True)
        if not final and (len(after) <= len(before) or after.endswith("\ufffd")):
            return ""
        self._prefix_offset, self._read_offset = self._read_offset, len(self._ids)
        return after[len(before) :]

    def _find_stop(self) -> None:
        for stop in self._stop:
            start = max(0, self._emitted - len(stop) + 1)
            index = self._text.find(stop, start)
            if index != -1:
                self._text = self._text[:index]
                self.stopped = True

    def _release(self) -> str:
        if self.stopped:
            return ""
        self._find_stop()
        safe_end = len(self._text) if self.stopped else len(self._text) - self._held_for_stop()
        delta = self._text[self._emitted : safe_end]
        self._emitted = max(self._emitted, safe_end)
        return delta

    def _held_for_stop(self) -> int:
        """Length of the text's longest suffix that could still grow into a stop string."""
        longest = 0
        for stop in self._stop:
            for size in range(min(len(stop) - 1, len(self._text)), longest, -1):
                if self._text.endswith(stop[:size]):
                    longest = size
                    break
        return longest
