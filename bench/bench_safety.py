"""Time per item of the child-safety building blocks, offline, on this machine's CPU:

- offline text moderation of a prompt and of a ~250-word story (lexicon + English classifier),
- the offline NSFW check of a photo (open_nsfw on onnxruntime),
- the local vision analyser on a photo (YOLOv3-tiny + colours/light/composition),
- clean_upload of a 12-megapixel phone-sized JPEG with EXIF (decode, orient, re-encode at 2048 px).

Models are loaded before timing. Prints a table, then as its last line one JSON object with the p50s.
Run: .venv/bin/python bench/bench_safety.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from PIL import Image

from media_service.uploads import clean_upload
from media_service.vision import LocalAnalyser
from storyscape_safety import OfflineModerator

REPO_ROOT = Path(__file__).resolve().parents[1]
PHOTO = REPO_ROOT / "media-service" / "media_tests" / "data" / "coffee_cc0.jpg"
PROMPT = "एक छोटे कछुए की कहानी जो उड़ना सीखना चाहता है"
STORY = " ".join(["The little turtle looked up at the birds and wished that he could fly like them."] * 16)


def phone_photo() -> bytes:
    with Image.open(PHOTO) as small:
        big = small.convert("RGB").resize((4000, 3000))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    big.save(out, format="JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


async def timed(call: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    await call()  # warm-up: models load here
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def measure(repeat: int) -> dict[str, list[float]]:
    moderator, analyser = OfflineModerator(), LocalAnalyser()
    photo, big = PHOTO.read_bytes(), phone_photo()
    return {
        "moderate_prompt_ms": await timed(lambda: moderator.check_text(PROMPT), repeat),
        "moderate_story_ms": await timed(lambda: moderator.check_text(STORY), repeat),
        "nsfw_image_ms": await timed(lambda: moderator.check_image(photo), repeat),
        "vision_local_ms": await timed(lambda: analyser.describe(photo, language="hi"), repeat),
        "clean_upload_12mp_ms": await timed(lambda: asyncio.to_thread(clean_upload, big), max(3, repeat // 5)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    results = asyncio.run(measure(args.repeat))
    print("| case | n | p50 ms | p90 ms |\n|---|---|---|---|")
    summary = {}
    for case, samples in results.items():
        p50 = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) >= 2 else p50
        print(f"| {case} | {len(samples)} | {p50:.1f} | {p90:.1f} |")
        summary[case.replace("_ms", "_p50_ms")] = round(p50, 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
