"""Checking an uploaded photo by its content and re-encoding it without metadata.

Pure functions (no I/O, no storage): `clean_upload(data)` returns the cleaned bytes, their format and size, or
raises `ApiError`. Callers run it in a thread (`await asyncio.to_thread(clean_upload, data)`): decoding is CPU work.

- The type is sniffed from the first bytes, never from a file name or a declared content type: JPEG, PNG and
  WebP only, anything else (a text file named `.png`, SVG, GIF, HEIC ...) is 415 `unsupported_media_type`.
- The header's dimensions are checked against a pixel limit before a single pixel is decoded, so a
  decompression bomb (a small file claiming 20,000 x 20,000 px) is refused in milliseconds with 413.
- A truncated or corrupt image is 422 `invalid_image`.
- EXIF orientation is applied, then the image is re-encoded from its pixels alone: EXIF (GPS included), XMP,
  ICC profiles and text chunks are all gone.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Final, Literal

from PIL import Image, ImageOps

from storyscape_common.errors import ApiError

ImageFormat = Literal["jpeg", "png", "webp"]

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024  # the gateway's request limit
# 36 MP covers every phone photo we expect (12-24 MP typical) and bounds a decode to ~110 MB of RGB.
MAX_PIXELS: Final = 36_000_000
# Stored photos are only read by the vision step and shown small; larger ones are scaled down.
MAX_SIDE: Final = 2048

CONTENT_TYPES: Final[dict[ImageFormat, str]] = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_PILLOW_NAMES: Final[dict[ImageFormat, str]] = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


@dataclass(frozen=True)
class CleanImage:
    """A checked upload: re-encoded bytes without metadata, in the format it arrived in."""

    data: bytes
    format: ImageFormat
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def size(self) -> int:
        return len(self.data)


def sniff_format(data: bytes) -> ImageFormat | None:
    """The image format the bytes really are, from their signature; None for anything we do not accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def unsupported() -> ApiError:
    return ApiError(415, "unsupported_media_type", "only JPEG, PNG or WebP photos are accepted")


def invalid_image() -> ApiError:
    return ApiError(422, "invalid_image", "the photo is damaged or incomplete and could not be read")


def too_large(what: str) -> ApiError:
    return ApiError(413, "payload_too_large", f"the photo is too large ({what})")


def too_many_pixels(max_pixels: int) -> ApiError:
    return too_large(f"too many pixels, at most {max_pixels:,} allowed")


def clean_upload(
    data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_PIXELS, max_side: int | None = MAX_SIDE
) -> CleanImage:
    """Check an upload by content and return it re-encoded without metadata (see the module docstring)."""
    if len(data) > max_bytes:
        raise too_large(f"over {max_bytes // (1024 * 1024)} MiB")
    fmt = sniff_format(data)
    if fmt is None:
        raise unsupported()
    image = _open_checked(data, fmt, max_pixels)
    try:
        pixels = _decode_upright(image)
    finally:
        image.close()
    if max_side is not None and max(pixels.size) > max_side:
        pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    encoded = _encode(pixels, fmt)
    return CleanImage(data=encoded, format=fmt, width=pixels.width, height=pixels.height)


def _open_checked(data: bytes, fmt: ImageFormat, max_pixels: int) -> Image.Image:
    """Open (header only) as exactly the sniffed format and refuse oversized dimensions before decoding."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (and at 2x its own limit raises) about bombs; our limit below is stricter.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_NAMES[fmt]])
    except Image.DecompressionBombError as exc:  # Pillow's own, far higher, limit
        raise too_many_pixels(max_pixels) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise invalid_image() from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise invalid_image()
    if width * height > max_pixels:
        image.close()
        raise too_many_pixels(max_pixels)
    return image


def _decode_upright(image: Image.Image) -> Image.Image:
    """Decode the first frame fully and apply its EXIF orientation; damaged data is a 422."""
    try:
        image.seek(0)  # an animated PNG/WebP keeps only its first frame
        image.load()
        upright = ImageOps.exif_transpose(image)
        return upright if upright is not image else image.copy()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise invalid_image() from exc


def _encode(image: Image.Image, fmt: ImageFormat) -> bytes:
    """Re-encode from pixels only: nothing from the original file (EXIF, XMP, ICC, text chunks) is passed on."""
    out = io.BytesIO()
    if fmt == "jpeg":
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        rgb.save(out, format="JPEG", quality=90, optimize=True)
    elif fmt == "png":
        keep = image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
        if keep.mode == "P":
            keep = keep.convert("RGBA")  # palette transparency info lives in `info`, which we drop
        keep.save(out, format="PNG", optimize=True)
    else:
        keep = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA" if "A" in image.getbands() else "RGB")
        keep.save(out, format="WEBP", quality=90)
    return out.getvalue()
