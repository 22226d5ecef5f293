"""espeak-ng through ctypes, from the `espeakng-loader` wheel (library and voice data, no system install)."""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from pathlib import Path

import espeakng_loader

AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_CHARS_UTF8 = 1
POS_CHARACTER = 1
ESPEAK_RATE = 1
VOICES = {"en": "en-us", "hi": "hi"}

SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


@dataclass(frozen=True, slots=True)
class Pcm:
    """Signed 16-bit little-endian mono samples."""

    samples: bytes
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / 2 / self.sample_rate


class EspeakEngine:
    """One espeak-ng instance per process: the library keeps global state, so every call holds one lock."""

    _lock = threading.Lock()
    _instance: EspeakEngine | None = None

    def __init__(self) -> None:
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_dir = str(Path(espeakng_loader.get_data_path()).parent).encode()
        self._lib.espeak_Initialize.restype = ctypes.c_int
        self.sample_rate = int(self._lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_dir, 0))
        if self.sample_rate <= 0:
            raise RuntimeError("espeak-ng failed to initialise")
        self._chunks: list[bytes] = []
        # Kept on self: ctypes must not free the callback while the library holds it.
        self._callback = SynthCallback(self._collect)
        self._lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def shared(cls) -> EspeakEngine:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def synthesize(self, text: str, *, language: str, words_per_minute: int = 165) -> Pcm:
        """Speak `text` (plain UTF-8, already prepared) with the voice for `language`."""
        voice = VOICES.get(language)
        if voice is None:
            raise ValueError(f"no espeak-ng voice for language {language!r}")
        encoded = text.encode("utf-8") + b"\0"
        with self._lock:
            self._chunks = []
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise RuntimeError(f"espeak-ng has no voice {voice!r}")
            self._lib.espeak_SetParameter(ESPEAK_RATE, words_per_minute, 0)
            status = self._lib.espeak_Synth(encoded, len(encoded), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
            self._lib.espeak_Synchronize()
            if status != 0:
                raise RuntimeError(f"espeak-ng synthesis failed ({status})")
            return Pcm(samples=b"".join(self._chunks), sample_rate=self.sample_rate)
