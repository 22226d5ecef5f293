"""Child safety offline, on this machine's CPU: how fast the text checks are, how well they hold against tricks,
how often they stop what our own models write, and what the other safety building blocks cost.

1. Speed: the whole offline check (`OfflineModerator.check_text_sync`: lexicon, masked words, English classifier)
   of 2,000-character prompts (p50/p99 wall clock, and p99 of this thread's CPU time), and the worst case over adversarial
   20,000-character inputs (long Devanagari words, asterisk runs, spelt-out letters, combining marks ...; for
   each input the median of three runs, then the largest).
2. Tricks: the evaluation set (`python -m storyscape_safety.evaluation`): recall on the adversarial split per
   language, false positives on all benign items per language.
3. Our own models: every story in `safety/evaluation/model_stories.jsonl` (written by `bench/model_stories.py`
   with the default offline models as served) goes through the stream guard delta by delta and then the
   whole-story check, as story-service does; a story is blocked if either stops it. The rules that fired are
   listed (lexicon `<category>:<line>`, `classifier:profanity-check`, `masked-word`), never the text.
4. (`--media`) the earlier timings: the NSFW check of a photo, the local vision analyser, clean_upload.

Prints tables, then as its last line one JSON object with check_p99_ms_2000_chars, worst_case_ms_20000_chars,
adversarial_recall_en/hi, benign_fp_en/hi, model_story_block_rate_en/hi.
Run: .venv/bin/python bench/bench_safety.py [--prompts 400] [--stories safety/evaluation/model_stories.jsonl] [--media]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storyscape_safety import OfflineModerator, StreamGuard, Verdict
from storyscape_safety.evaluation import LANGUAGES, evaluate, load_items

REPO_ROOT = Path(__file__).resolve().parents[1]
STORIES = REPO_ROOT / "safety" / "evaluation" / "model_stories.jsonl"
DELTA_CHARS = 4  # about one model token: the stream guard sees the story as story-service does
ADVERSARIAL_20K = {
    "devanagari-letter-run": "क" * 20_000,
    "devanagari-compound-words": ("अंतर्राष्ट्रीयकरणविरोधीसंगठनाध्यक्षपद" * 600)[:20_000],
    "letters-then-asterisk": (("क" * 40 + "*") * 500)[:20_000],
    "asterisk-run": "*" * 20_000,
    "a-star-pairs": "a*" * 10_000,
    "spelt-out-latin": "k " * 10_000,
    "spelt-out-devanagari": "क " * 10_000,
    "combining-marks": "a" + "\u0308" * 19_999,
    "format-characters": "k\u200e" * 10_000,
    "lexicon-words": ("kill you मार डाल chutiya " * 900)[:20_000],
    "english-prose": ("The little turtle looked up at the birds and wished he could fly. " * 320)[:20_000],
}


def ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def cpu_ms(call: Callable[[], object]) -> float:
    """This thread's CPU time: what the check costs, without the waits a busy machine adds to wall time."""
    start = time.thread_time()
    call()
    return (time.thread_time() - start) * 1000


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * len(ordered)))]


def prompts_2000(count: int, seed: int = 0) -> list[str]:
    """2,000-character prompts stitched from the evaluation set's texts (both languages, safe and unsafe)."""
    texts = [item.text for item in load_items()]
    rng = random.Random(seed)
    prompts = []
    for _ in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < 2_000:
            parts.append(rng.choice(texts))
        prompts.append(" ".join(parts)[:2_000])
    return prompts


def speed(moderator: OfflineModerator, count: int) -> dict[str, float]:
    def check(text: str) -> Callable[[], object]:
        return lambda: moderator.check_text_sync(text)

    prompts = prompts_2000(count)
    samples = sorted(ms(check(prompt)) for prompt in prompts)
    cpu = sorted(cpu_ms(check(prompt)) for prompt in prompts)
    worst = {name: statistics.median(ms(check(text)) for _ in range(3)) for name, text in ADVERSARIAL_20K.items()}
    print("| input | ms (median of 3) |\n|---|---|")
    for name, value in worst.items():
        print(f"| {name} (20,000 chars) | {value:.1f} |")
    p50, p99, cpu_p99 = statistics.median(samples), percentile(samples, 0.99), percentile(cpu, 0.99)
    print(f"\n2,000-char prompts: n={len(samples)} wall p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {samples[-1]:.2f} ms;")
    print(f"CPU time p50 {statistics.median(cpu):.2f} ms, p99 {cpu_p99:.2f} ms (wall minus CPU is the machine's other load)\n")
    return {
        "check_p50_ms_2000_chars": round(p50, 2),
        "check_p99_ms_2000_chars": round(p99, 2),
        "check_p99_cpu_ms_2000_chars": round(cpu_p99, 2),
        "worst_case_ms_20000_chars": round(max(worst.values()), 1),
    }


def tricks(moderator: OfflineModerator) -> dict[str, float | None]:
    report, _ = evaluate(moderator, load_items())
    print("| language | adversarial recall | benign false positives | clear recall |\n|---|---|---|---|")
    figures: dict[str, float | None] = {}
    for lang in LANGUAGES:
        f = report["all"][lang]
        recall, fp = f"{f['adversarial_recall']} ({f['adversarial_items']})", f"{f['benign_fpr']} ({f['benign_items']})"
        print(f"| {lang} | {recall} | {fp} | {f['clear_recall']} |")
        figures[f"adversarial_recall_{lang}"] = f["adversarial_recall"]
        figures[f"benign_fp_{lang}"] = f["benign_fpr"]
    print()
    return figures


async def story_verdict(moderator: OfflineModerator, text: str, language: str) -> Verdict | None:
    """The verdict that stops this story in story-service (stream guard, then whole story), or None."""
    guard = StreamGuard(moderator, language=language)
    for start in range(0, len(text), DELTA_CHARS):
        verdict = await guard.feed(text[start : start + DELTA_CHARS])
        if verdict is not None and verdict.blocked:
            return verdict
    verdict = await guard.finish()
    if verdict is not None and verdict.blocked:
        return verdict
    whole = await moderator.check_text(text, language=language)
    return whole if whole.blocked else None


def model_stories(moderator: OfflineModerator, path: Path) -> dict[str, float | None]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.exists() else []
    figures: dict[str, float | None] = {}
    print("| language | stories | blocked | rate | rules that fired |\n|---|---|---|---|---|")
    for lang in LANGUAGES:
        stories = [row for row in rows if row["language"] == lang]
        verdicts = [asyncio.run(story_verdict(moderator, row["text"], lang)) for row in stories]
        blocked = [v for v in verdicts if v is not None]
        rules = Counter(rule for v in blocked for rule in v.rules)
        rate = round(len(blocked) / len(stories), 4) if stories else None
        fired = ", ".join(f"{rule} x{n}" for rule, n in rules.most_common()) or "none"
        print(f"| {lang} | {len(stories)} | {len(blocked)} | {rate} | {fired} |")
        figures[f"model_story_block_rate_{lang}"] = rate
        figures[f"model_stories_{lang}"] = len(stories)
    print()
    return figures


def media_timings(repeat: int) -> dict[str, float]:
    """The photo-side checks (imported here: media-service is only needed for these)."""
    import io

    from PIL import Image

    from media_service.uploads import clean_upload
    from media_service.vision import LocalAnalyser

    photo = (REPO_ROOT / "media-service" / "media_tests" / "data" / "coffee_cc0.jpg").read_bytes()
    with Image.open(io.BytesIO(photo)) as small:
        out = io.BytesIO()
        small.convert("RGB").resize((4000, 3000)).save(out, format="JPEG", quality=90)
    big, moderator, analyser = out.getvalue(), OfflineModerator(), LocalAnalyser()
    cases: dict[str, Callable[[], Any]] = {
        "nsfw_image": lambda: moderator.check_image_sync(photo),
        "vision_local": lambda: asyncio.run(analyser.describe(photo, language="hi")),
        "clean_upload_12mp": lambda: clean_upload(big),
    }
    print("| case | n | p50 ms |\n|---|---|---|")
    figures = {}
    for name, call in cases.items():
        call()  # models load here
        p50 = statistics.median(ms(call) for _ in range(repeat))
        print(f"| {name} | {repeat} | {p50:.1f} |")
        figures[f"{name}_p50_ms"] = round(p50, 1)
    print()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=400, help="2,000-character prompts to time")
    parser.add_argument("--stories", type=Path, default=STORIES, help="model-written stories (JSON lines)")
    parser.add_argument("--media", action="store_true", help="also time the photo checks")
    parser.add_argument("--repeat", type=int, default=10, help="repeats for the photo timings")
    args = parser.parse_args()
    moderator = OfflineModerator()
    moderator.check_text_sync("warm up: the lexicon and the classifier load here")
    summary: dict[str, Any] = {**speed(moderator, args.prompts), **tricks(moderator), **model_stories(moderator, args.stories)}
    if args.media:
        summary |= media_timings(args.repeat)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
