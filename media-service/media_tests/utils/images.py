"""Test images built in memory: real photos-like files, files with EXIF GPS, and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def gradient(width: int = 64, height: int = 32, mode: str = "RGB") -> Image.Image:
    image = Image.new("RGB", (width, height))
    image.putdata([(x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 90) for y in range(height) for x in range(width)])
    return image.convert(mode)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def jpeg_with_gps(width: int = 64, height: int = 32, orientation: int = 6) -> bytes:
    """A JPEG whose EXIF holds a GPS position (a child's home) and an orientation to apply."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (28.0, 36.0, 50.0), 3: "E", 4: (77.0, 12.0, 30.0)})
    return encode(gradient(width, height), "JPEG", exif=exif.tobytes(), quality=95)


def png_with_text_chunk() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address: 12 Example Road")
    return encode(gradient(), "PNG", pnginfo=info)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A few hundred bytes claiming width x height pixels: a header and one small compressed stream."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)  # only a few rows' worth of data
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def jpeg_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to claim width x height pixels."""
    data = bytearray(encode(gradient(16, 16), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
TEXT_NAMED_PNG = b"this is a text file that someone renamed to photo.png\n"
