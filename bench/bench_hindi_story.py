"""A Hindi story through the whole product, as `make run` serves it: the auth emulator and every service on
loopback with their default models (hindi-llm-service: Gemma 3 270M + `storyscape-hi`), a reader signed up
through the emulator, `POST /v1/stories` in Hindi streamed through the gateway, one story at a time.

Measures, per story: seconds to the first text, seconds until 150 words had arrived, seconds to
`story.completed`, and its words. Prints a table, then one JSON line:
`{"stories", "words_p50", "first_text_s_p50", "s_to_150_words_p50", "completed_s_p50", "under_a_minute", "repeat8_max"}`
(`under_a_minute`: every story reached 150 words, or finished, within 60 s; `repeat8_max`: the worst story's share
of words inside a repeated word 8-gram, a loop scores near 1).

Usage: .venv/bin/python bench/bench_hindi_story.py [--stories 4] [--age-group 3-5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.testing import free_port

from gateway_tests.e2e.client import sign_up
from storyscape_common.registry import SERVICES
from storyscape_common.sse import iter_events
from training.dataset.text_units import words
from training.evaluate.quality import repeated_ngram_share

REPO_ROOT = Path(__file__).resolve().parents[1]
IDEAS = ["नदी किनारे मिला एक पुराना नक्शा", "दादी की रसोई में छिपा रहस्य", "बारिश में भीगती एक बिल्ली", "पहाड़ पर अकेला पेड़"]
STORY_WORDS = 150
MINUTE = 60.0


async def one_story(client: httpx.AsyncClient, token: str, idea: str, age_group: str) -> dict[str, Any]:
    body = {"prompt": idea, "language": "hi", "age_group": age_group, "genres": ["adventure"]}
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    started, first, at_150, completed, text = time.perf_counter(), None, None, None, ""
    async with client.stream("POST", "/v1/stories", json=body, headers=headers) as response:
        if response.status_code != 200:
            raise RuntimeError(f"story refused: {response.status_code} {(await response.aread()).decode()}")
        async for event in iter_events(response.aiter_lines()):
            now = time.perf_counter() - started
            if event.event == "story.delta":
                text += event.json()["text"]
                first = first if first is not None else now
                if at_150 is None and len(words(text)) >= STORY_WORDS:
                    at_150 = now
            elif event.event == "story.completed":
                completed = now
                break
            elif event.event == "error":
                raise RuntimeError(f"story failed: {event.data}")
    loop = repeated_ngram_share(text, 8)
    return {"idea": idea, "words": len(words(text)), "first_s": first, "to_150_s": at_150, "completed_s": completed, "repeat8": loop}


async def measure(config: StackConfig, stories: int, age_group: str) -> list[dict[str, Any]]:
    token = sign_up(config)
    async with httpx.AsyncClient(base_url=config.url("gateway"), timeout=600) as client:
        return [await one_story(client, token, IDEAS[i % len(IDEAS)], age_group) for i in range(stories)]


def median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(statistics.median(present), 2) if present else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=4)
    parser.add_argument("--age-group", default="3-5", choices=["3-5", "6-8", "9-12", "13-17"])
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".data" / "bench-hindi-story")
    args = parser.parse_args()
    config = StackConfig(
        root=REPO_ROOT,
        state_dir=args.state_dir / str(time.time_ns()),
        ports={spec.name: free_port() for spec in SERVICES},
        emulator_port=free_port(),
    )
    with DevStack(config):
        rows = asyncio.run(measure(config, args.stories, args.age_group))
    print(f"\nHindi stories through the gateway, age group {args.age_group}\n")
    print("| idea | words | first text s | 150 words s | completed s | repeated 8-gram share |\n|---|---:|---:|---:|---:|---:|")
    for row in rows:
        to_150 = f"{row['to_150_s']:.1f}" if row["to_150_s"] else "—"
        print(f"| {row['idea']} | {row['words']} | {row['first_s']:.1f} | {to_150} | {row['completed_s']:.1f} | {row['repeat8']:.3f} |")
    in_time = all((row["to_150_s"] or row["completed_s"]) <= MINUTE for row in rows)
    figures = {
        "stories": len(rows),
        "words_p50": statistics.median(row["words"] for row in rows),
        "first_text_s_p50": median([row["first_s"] for row in rows]),
        "s_to_150_words_p50": median([row["to_150_s"] for row in rows]),
        "completed_s_p50": median([row["completed_s"] for row in rows]),
        "under_a_minute": in_time,
        "repeat8_max": round(max(row["repeat8"] for row in rows), 3),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
