"""Narrators behind one interface: offline espeak-ng, or OpenAI `tts-1-hd` when a key is set."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from openai import AsyncOpenAI

from media_service.narration.audio import Narration, decoded_duration, encode_mp3, silence
from media_service.narration.espeak import EspeakEngine, Pcm
from media_service.narration.text import chunks, prepare

SENTENCE_PAUSE_S = 0.25
OPENAI_INPUT_LIMIT = 4096  # characters per speech request (the API's limit)
OPENAI_PCM_RATE = 24_000  # `response_format="pcm"` is 24 kHz 16-bit mono


class Narrator(ABC):
    name: str

    @abstractmethod
    async def narrate(self, text: str, *, language: str) -> Narration:
        """Playable audio of `text` read in `language` (`hi` or `en`)."""


def checked(narration: Narration) -> Narration:
    """Refuse to store audio that does not decode, or whose length is not what we record."""
    decoded = decoded_duration(narration.data)
    if decoded <= 0 or abs(decoded - narration.duration_s) > max(0.5, narration.duration_s * 0.05):
        raise RuntimeError(f"encoded narration decodes to {decoded:.2f} s, expected {narration.duration_s:.2f} s")
    return narration


class EspeakNarrator(Narrator):
    """espeak-ng voices `hi` and `en-us`: offline and many times faster than real time."""

    name = "espeak-ng"

    def _render(self, text: str, language: str) -> Narration:
        engine = EspeakEngine.shared()
        parts: list[bytes] = []
        for sentence in prepare(text, language):
            parts.append(engine.synthesize(sentence, language=language).samples)
            parts.append(silence(engine.sample_rate, SENTENCE_PAUSE_S))
        if not parts:
            raise ValueError("nothing to narrate")
        return checked(encode_mp3(Pcm(samples=b"".join(parts), sample_rate=engine.sample_rate)))

    async def narrate(self, text: str, *, language: str) -> Narration:
        return await asyncio.to_thread(self._render, text, language)


class OpenAINarrator(Narrator):
    """`tts-1-hd` in chunks under the input limit, cut between sentences, joined as PCM and encoded once."""

    name = "openai"

    def __init__(self, client: AsyncOpenAI, *, model: str = "tts-1-hd", voice: str = "nova", input_limit: int = OPENAI_INPUT_LIMIT) -> None:
        self.client = client
        self.model = model
        self.voice = voice
        self.input_limit = input_limit

    async def narrate(self, text: str, *, language: str) -> Narration:
        pieces = chunks(prepare(text, language), limit=self.input_limit)
        if not pieces:
            raise ValueError("nothing to narrate")
        pcm = b""
        for piece in pieces:  # in order, one at a time: the joined audio must follow the text
            response = await self.client.audio.speech.create(model=self.model, voice=self.voice, input=piece, response_format="pcm")
            audio = response.read()
            pcm += audio[: len(audio) - len(audio) % 2]
        narration = encode_mp3(Pcm(samples=pcm, sample_rate=OPENAI_PCM_RATE))
        return await asyncio.to_thread(checked, narration)
