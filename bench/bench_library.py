"""The reader's library at scale: search, list pages and the favorites ETag check for a reader with 100k stories.

Loads `--rows` generated stories (Hindi and English, 100-200 words each) over `--users` readers into a fresh
PostgreSQL database whose schema comes from history-service's migrations; one reader holds `--heavy-share` of
them. Then starts history-service on that database (its own process, as deployed) and measures, for the heavy
reader, through HTTP: single-word Hindi and English searches (common and rare words), the first and the 50th list
page, and `GET /v1/favorites` with a matching If-None-Match. Prints a table, then one JSON line.

Usage: .venv/bin/python bench/bench_library.py [--rows 1000000] [--users 1000] [--samples 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from storyscape_devtools.testing import TestKeys, free_port, new_test_keys, postgres_database

from history_service.search_terms import story_terms

REPO_ROOT = Path(__file__).resolve().parents[1]
HEAVY_USER = "heavy-reader"
BATCH = 5_000

HINDI_WORDS = (
    "राजकुमारी बिल्ली कहानी जंगल नदी पहाड़ गाँव शहर बादल बारिश सूरज चाँद तारे पेड़ फूल चिड़िया हाथी शेर बंदर खरगोश "
    "कछुआ मछली नाव रेलगाड़ी पतंग मेला दादी नानी माँ पापा दोस्त स्कूल किताब खिलौना गुब्बारा रंग लाल नीला हरा पीला "
    "छोटी बड़ा सुंदर बहादुर डरपोक चतुर मीठा खट्टा ठंडी गरम रात सुबह शाम दिन सपना जादू परी राक्षस खज़ाना नक्शा "
    "रास्ता घर आँगन छत खिड़की दरवाज़ा रसोई रोटी दाल चावल आम अमरूद केला हँसी आँसू गाना नाच खेल दौड़ उड़ान"
).split()
HINDI_GLUE = "और ने को से में पर था थी थे है हैं एक वह उसने उसकी उसका बहुत फिर तब जब भी ही".split()
ENGLISH_WORDS = (
    "princess cat story forest river mountain village city cloud rain sun moon stars tree flower bird elephant lion "
    "monkey rabbit turtle fish boat train kite fair grandmother mother father friend school book toy balloon colour "
    "red blue green yellow small big beautiful brave shy clever sweet sour cold warm night morning evening day dream "
    "magic fairy giant treasure map road home courtyard roof window door kitchen bread lentils rice mango guava "
    "banana laughter tears song dance game race flight lighthouse seagull dragon lantern"
).split()
ENGLISH_GLUE = "and the a to of in on was were is are he she they it then when very also just".split()
RARE_HINDI, RARE_ENGLISH = "ज्वालामुखी", "volcano"  # in about 1 story in 2,000


def story_text(rng: random.Random, language: str) -> str:
    words, glue = (HINDI_WORDS, HINDI_GLUE) if language == "hi" else (ENGLISH_WORDS, ENGLISH_GLUE)
    stop = "।" if language == "hi" else "."
    sentences = []
    for _ in range(rng.randint(12, 20)):
        sentence = [rng.choice(words if rng.random() < 0.6 else glue) for _ in range(rng.randint(7, 12))]
        sentences.append(" ".join(sentence) + stop)
    if rng.random() < 0.0005:
        sentences.append(RARE_HINDI if language == "hi" else RARE_ENGLISH)
    return " ".join(sentences)


def generated_rows(rows: int, users: int, heavy_share: float, seed: int) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """(story row, its term rows); the heavy reader's stories are spread over the last three years."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for n in range(rows):
        user = HEAVY_USER if rng.random() < heavy_share else f"reader-{rng.randrange(users):05d}"
        language = "hi" if rng.random() < 0.5 else "en"
        text = story_text(rng, language)
        title = " ".join(text.split()[:4])
        prompt = " ".join(rng.choice(HINDI_WORDS if language == "hi" else ENGLISH_WORDS) for _ in range(6))
        created = now - timedelta(seconds=rng.randrange(3 * 365 * 86_400))
        story_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        favorite = rng.random() < 0.01
        story = (story_id, user, title, text, language, "6-8", '["animals"]', "prompt", prompt, "bench", favorite, created)
        terms = [(user, term, created, story_id) for term in story_terms(title, text, prompt)]
        yield story, terms
        if n and n % 100_000 == 0:
            print(f"  generated {n:,} stories", flush=True)


async def migrate(url: str, keys: TestKeys) -> None:
    """Let the service create its schema (Alembic, as in production), then stop it."""
    with history_process(url, keys) as _:
        pass


async def load(url: str, *, rows: int, users: int, heavy_share: float, seed: int) -> int:
    connection = await asyncpg.connect(url)
    term_count = 0
    try:
        stories: list[tuple[object, ...]] = []
        terms: list[tuple[object, ...]] = []
        columns = ["id", "user_id", "title", "text", "language", "age_group", "genres", "mode", "prompt", "model", "favorite", "created_at"]

        async def flush() -> None:
            await connection.copy_records_to_table("stories", records=stories, columns=columns)
            await connection.copy_records_to_table("story_terms", records=terms, columns=["user_id", "term", "created_at", "story_id"])
            stories.clear()
            terms.clear()

        for story, story_terms_rows in generated_rows(rows, users, heavy_share, seed):
            stories.append(story)
            terms.extend(story_terms_rows)
            term_count += len(story_terms_rows)
            if len(stories) >= BATCH:
                await flush()
        await flush()
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return term_count


class history_process:  # noqa: N801 - used as a context manager
    """history-service as its own process on a free port, on the given database."""

    def __init__(self, url: str, keys: TestKeys) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "HISTORY_ENVIRONMENT": "test",
            "HISTORY_PORT": str(self.port),
            "HISTORY_DATABASE_URL": url,
            "HISTORY_INTERNAL_PUBLIC_KEYS": json.dumps(keys.public_keys),
            "HISTORY_INTERNAL_SIGNING_KEY": keys.private_pem("history-service"),
            "HISTORY_PROMPT_URL": f"http://127.0.0.1:{free_port()}",
            "HISTORY_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen([sys.executable, "-m", "history_service"], env=env, stdout=subprocess.DEVNULL)

    def __enter__(self) -> str:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200:
                    return f"http://127.0.0.1:{self.port}"
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("history-service did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def measure(base: str, keys: TestKeys, samples: int) -> dict[str, list[float]]:
    headers = keys.bearer(user_id=HEAVY_USER, audience="history-service")
    results: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

        async def timed(name: str, path: str, **kwargs: object) -> httpx.Response:
            started = time.perf_counter()
            response = await client.get(path, **kwargs)  # type: ignore[arg-type]
            results.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 304), response.text
            return response

        deep_cursor = None
        page = await timed("list, first page", "/v1/stories", params={"limit": 20})
        for _ in range(49):
            page = await client.get("/v1/stories", params={"limit": 20, "cursor": page.json()["next_cursor"]})
        deep_cursor = page.json()["next_cursor"]
        etag = (await client.get("/v1/favorites")).headers["etag"]
        rng = random.Random(7)
        for _ in range(samples):
            await timed("search hi, common word", "/v1/stories/search", params={"q": rng.choice(HINDI_WORDS[:40])})
            await timed("search hi, rare word", "/v1/stories/search", params={"q": RARE_HINDI})
            await timed("search en, common word", "/v1/stories/search", params={"q": rng.choice(ENGLISH_WORDS[:40])})
            await timed("search en, rare word", "/v1/stories/search", params={"q": RARE_ENGLISH})
            await timed("list, first page", "/v1/stories", params={"limit": 20})
            await timed("list, page 50", "/v1/stories", params={"limit": 20, "cursor": deep_cursor})
            await timed("favorites, 304", "/v1/favorites", headers={"If-None-Match": etag})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--heavy-share", type=float, default=0.1, help="share of all stories held by the heavy reader")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    keys = new_test_keys()
    with postgres_database("bench_library") as url:
        asyncio.run(migrate(url, keys))
        started = time.perf_counter()
        terms = asyncio.run(load(url, rows=args.rows, users=args.users, heavy_share=args.heavy_share, seed=args.seed))
        print(f"loaded {args.rows:,} stories ({terms:,} index terms) in {time.perf_counter() - started:.0f} s", flush=True)
        with history_process(url, keys) as base:
            results = asyncio.run(measure(base, keys, args.samples))
    print(f"\n| case ({args.rows:,} rows; heavy reader ≈ {int(args.rows * args.heavy_share):,}) | n | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for name, samples in results.items():
        print(f"| {name} | {len(samples)} | {percentile(samples, 0.5):.2f} | {percentile(samples, 0.95):.2f} |")
    search = [s for name, values in results.items() if name.startswith("search") for s in values]
    listing = results["list, first page"] + results["list, page 50"]
    summary = {
        "rows": args.rows,
        "search_p95_ms": round(percentile(search, 0.95), 2),
        "list_p95_ms": round(percentile(listing, 0.95), 2),
        "favorites_304_p95_ms": round(percentile(results["favorites, 304"], 0.95), 2),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
