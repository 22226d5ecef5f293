"""PCM to MP3 (lameenc), and a decoder check so nothing unplayable is stored."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import lameenc

from media_service.narration.espeak import Pcm

MP3_CONTENT_TYPE = "audio/mpeg"


@dataclass(frozen=True, slots=True)
class Narration:
    data: bytes
    content_type: str
    duration_s: float


def silence(sample_rate: int, seconds: float) -> bytes:
    return b"\0\0" * int(sample_rate * seconds)


def encode_mp3(pcm: Pcm, *, bitrate_kbps: int = 64) -> Narration:
    """Mono MP3 that iOS (AVPlayer) plays natively; the duration is the PCM's, exactly."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(pcm.sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(5)
    data = bytes(encoder.encode(pcm.samples) + encoder.flush())
    return Narration(data=data, content_type=MP3_CONTENT_TYPE, duration_s=round(pcm.duration_s, 3))


def decoded_duration(data: bytes) -> float:
    """Decode every frame (raises on a broken file) and return the audio's length in seconds."""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        samples = 0
        for frame in container.decode(stream):
            samples += int(frame.samples)
        return samples / float(stream.rate or stream.codec_context.sample_rate)
