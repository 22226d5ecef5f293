"""Uploaded photos are accepted by content only, bombs and damaged files are refused, metadata never survives."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from media_service.uploads import clean_upload, sniff_format
from media_tests.utils.images import (
    GPS_IFD,
    SVG,
    TEXT_NAMED_PNG,
    encode,
    gradient,
    jpeg_bomb,
    jpeg_with_gps,
    png_bomb,
    png_with_text_chunk,
)
from storyscape_common.errors import ApiError

SERVICE_DIR = Path(__file__).resolve().parents[2]  # `python -c` there can import media_tests


def refused(data: bytes, **limits: int) -> ApiError:
    with pytest.raises(ApiError) as caught:
        clean_upload(data, **limits)
    return caught.value


@pytest.mark.parametrize(("fmt", "expected"), [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")])
def test_jpeg_png_and_webp_are_accepted_and_keep_their_format(fmt: str, expected: str) -> None:
    cleaned = clean_upload(encode(gradient(80, 40), fmt))
    assert (cleaned.format, cleaned.width, cleaned.height) == (expected, 80, 40)
    assert cleaned.content_type == f"image/{expected}"
    with Image.open(io.BytesIO(cleaned.data)) as reopened:
        assert reopened.format == fmt and reopened.size == (80, 40)
    assert cleaned.size == len(cleaned.data)


@pytest.mark.parametrize(
    "data",
    [TEXT_NAMED_PNG, SVG, encode(gradient(), "GIF"), encode(gradient(), "BMP"), b"", b"RIFF\x00\x00\x00\x00WAVEfmt "],
    ids=["text-named-png", "svg", "gif", "bmp", "empty", "wav"],
)
def test_anything_else_is_415_whatever_it_is_called(data: bytes) -> None:
    error = refused(data)
    assert (error.status, error.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize("bomb", [png_bomb(), jpeg_bomb()], ids=["png", "jpeg"])
def test_a_small_file_claiming_20000_by_20000_pixels_is_refused_with_413(bomb: bytes) -> None:
    assert len(bomb) < 2048
    error = refused(bomb)
    assert (error.status, error.code) == (413, "payload_too_large")
    assert "too many pixels" in error.message


def test_a_bomb_is_refused_without_decoding_its_pixels() -> None:
    # Measured in a fresh process: decoding 20,000 x 20,000 would need at least 400 MB.
    script = (
        "import json, resource\n"
        "from media_service.uploads import clean_upload\n"
        "from media_tests.utils.images import png_bomb, jpeg_bomb\n"
        "bombs = [png_bomb(), jpeg_bomb()]\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "codes = []\n"
        "for bomb in bombs:\n"
        "    try:\n"
        "        clean_upload(bomb)\n"
        "    except Exception as exc:\n"
        "        codes.append(exc.status)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'codes': codes, 'grew_kib': after - before}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120, cwd=SERVICE_DIR)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["codes"] == [413, 413]
    assert measured["grew_kib"] < 20 * 1024


def test_more_bytes_than_the_upload_limit_is_413() -> None:
    error = refused(encode(gradient(), "PNG"), max_bytes=100)
    assert (error.status, error.code) == (413, "payload_too_large")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_truncated_image_is_422(fmt: str) -> None:
    whole = encode(gradient(200, 200), fmt)
    error = refused(whole[: len(whole) // 2])
    assert (error.status, error.code) == (422, "invalid_image")


def test_a_corrupt_header_is_422() -> None:
    error = refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert (error.status, error.code) == (422, "invalid_image")


def test_exif_gps_is_gone_and_the_orientation_was_applied() -> None:
    original = jpeg_with_gps(width=64, height=32, orientation=6)  # 6: rotate 90 degrees to display
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test photo really carries a position
    cleaned = clean_upload(original)
    assert (cleaned.width, cleaned.height) == (32, 64)
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert not after.getexif() and not after.getexif().get_ifd(GPS_IFD)
        assert "exif" not in after.info and "icc_profile" not in after.info
    assert b"Exif" not in cleaned.data and b"PhoneMaker" not in cleaned.data


def test_png_text_chunks_are_gone() -> None:
    cleaned = clean_upload(png_with_text_chunk())
    assert b"Example Road" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert "Comment" not in after.info


def test_large_photos_are_scaled_down_to_the_stored_size() -> None:
    cleaned = clean_upload(encode(gradient(300, 150), "JPEG"), max_side=100)
    assert (cleaned.width, cleaned.height) == (100, 50)


def test_transparency_survives_png_and_webp() -> None:
    see_through = gradient(mode="RGBA")
    see_through.putalpha(Image.linear_gradient("L").resize(see_through.size))
    for fmt in ("PNG", "WEBP"):
        cleaned = clean_upload(encode(see_through, fmt))
        with Image.open(io.BytesIO(cleaned.data)) as after:
            assert after.mode == "RGBA" and min(after.getchannel("A").tobytes()) < 50, fmt


def test_sniffing_reads_content_not_names() -> None:
    assert sniff_format(encode(gradient(), "WEBP")) == "webp"
    assert sniff_format(b"GIF89a") is None
