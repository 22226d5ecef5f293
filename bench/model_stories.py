"""A corpus of model-written stories to measure moderation on: benign children's story ideas in Hindi and English,
written by the default offline models exactly as `make run` serves them, one JSON object per line.

Starts the real hindi-llm-service (`python -m hindi_llm_service`, default settings: the transformers engine, Gemma 3
270M + `storyscape-hi` for Hindi and SmolLM2-135M-Instruct for English in one process) on a free loopback port,
signing each request as story-service does (bench_engine's helpers). Each request is what story-service sends:
`story_messages`, its model route per language, temperature, top_p and repetition penalty (story-service's setting
defaults), streamed; its max_tokens is story-service's budget for the age group, capped at `--max-tokens-cap`
(a full-length corpus would take hours on a 2-core CPU) unless `--max-tokens` fixes it. Unlike story-service, each
story is sent a seed (derived from its id and `--seed`), so a rerun writes the same stories.

Ideas: a fixed list of 25 per language; story i of a language takes idea i mod 25 and age group i mod 4 (so 100
stories per language cover every idea at every age group once), and 0-2 built-in genres drawn with a seeded RNG.
Rows: {"id", "language", "prompt", "genres", "age_group", "model", "max_tokens", "text"} plus "max_tokens_cap",
"seed", "completion_tokens", "finish_reason" and "seconds"; appended as each story finishes. A rerun skips the ids
already in the file, so an interrupted run loses nothing (an unterminated last line is dropped first).

Usage: .venv/bin/python bench/model_stories.py --out safety/evaluation/model_stories.jsonl [--per-language 100]
       [--languages hi,en] [--max-tokens-cap 160] [--max-tokens N] [--concurrency 4] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench_engine import Keys, Target, service
from hindi_llm_service.settings import Settings as LlmSettings
from story_service.settings import Settings as StorySettings
from storyscape_common.catalog import AGE_GROUPS, BUILT_IN_GENRES
from storyscape_common.internal_auth import generate_key_pair
from storyscape_common.story_prompts import max_tokens_for, story_messages

# The cap is set by Hindi, the slower engine: on the shared 2-core dev machine (busy neighbours, nice 19, 4 streams
# per language) Gemma 3 270M + `storyscape-hi` wrote 4.1 tok/s in all (1.0 per stream) and SmolLM2 7.2 tok/s
# (1.8 per stream), so 100 Hindi stories of 160 tokens take about 65 minutes, English about 40 beside them. 160
# tokens is ~100 Hindi words (Gemma: ~1.6 tokens a word) and ~110 English ones: short of every age group's budget
# (story-service would ask for 332-1032), so nearly every story stops at the cap, and a block rate measured on
# these is likely lower than on full-length stories (less text, fewer chances to trip an entry).
DEFAULT_CAP = 160

IDEAS: dict[str, list[str]] = {
    "en": [
        "A little elephant who is afraid of water",
        "A kite that wants to touch the clouds",
        "Two friends build a treehouse in the rain",
        "A robot who learns to bake bread",
        "A lost puppy finds its way home",
        "The moon visits a small village for one night",
        "A girl who collects colourful stones by the river",
        "A shy turtle joins the school sports day",
        "Grandfather's old bicycle that can talk",
        "A tiny seed that grows into a giant sunflower",
        "A boy who counts the stars to fall asleep",
        "A parrot who helps the shopkeepers at the market",
        "A snowman who wants to see the summer",
        "A friendly dragon who sneezes bubbles",
        "A class trip to the planetarium",
        "A cat who solves the mystery of the missing socks",
        "A paper boat's journey down a monsoon stream",
        "A young inventor builds a machine that waters plants",
        "A penguin who wants to learn to dance",
        "Sharing mangoes with the new neighbour",
        "A brave little firefly lights the way home for her friends",
        "A library book that opens doors to other worlds",
        "A monkey and a crocodile who become friends",
        "A grandmother teaches her granddaughter to plant a garden",
        "A teenager who starts a recycling club in her neighbourhood",
    ],
    "hi": [
        "नदी किनारे मिला एक पुराना नक्शा",
        "दादी की रसोई में छिपा रहस्य",
        "बारिश में भीगती एक बिल्ली",
        "पहाड़ पर अकेला पेड़",
        "एक छोटा कछुआ जो उड़ना सीखना चाहता है",
        "एक जादुई रेलगाड़ी",
        "चाँद पर पिकनिक मनाने गए दो दोस्त",
        "गाँव के मेले में खोया हुआ गुब्बारा",
        "एक नन्हा हाथी जिसे पानी से डर लगता है",
        "एक पतंग जो बादलों को छूना चाहती थी",
        "एक रोबोट जिसने रोटी बनाना सीखा",
        "एक तोता जो सबकी भाषा बोल लेता था",
        "स्कूल के बगीचे में उगा सूरजमुखी",
        "नानी के गाँव में गर्मियों की छुट्टियाँ",
        "एक शर्मीली गिलहरी की नई दोस्त",
        "जंगल में संगीत का उत्सव",
        "एक छोटी बच्ची और उसका सपनों का झूला",
        "बंदर और मगरमच्छ की दोस्ती",
        "तारे गिनकर सोने वाला लड़का",
        "बर्फ़ का पुतला जो गर्मी देखना चाहता था",
        "एक जुगनू जिसने दोस्तों को घर का रास्ता दिखाया",
        "एक किताब जो दूसरी दुनिया का दरवाज़ा खोलती है",
        "नए पड़ोसी के साथ आम बाँटना",
        "एक नन्ही वैज्ञानिक जिसने पौधों को पानी देने की मशीन बनाई",
        "मोहल्ले के किशोर जिन्होंने पेड़ लगाने का अभियान शुरू किया",
    ],
}
GENRE_IDS = [genre.id for genre in BUILT_IN_GENRES]
RETRY_SECONDS = 5.0


def story_default(name: str) -> Any:
    """story-service's default for one setting (what `make run` uses: the dev stack sets none of these)."""
    return StorySettings.model_fields[name].default


@dataclass(frozen=True)
class Job:
    id: str
    language: str
    prompt: str
    genres: list[str]
    age_group: str
    model: str
    max_tokens: int
    seed: int


def jobs_for(language: str, count: int, *, seed: int, cap: int, fixed_max_tokens: int | None) -> list[Job]:
    """The stories of one language, the same every run: ideas and age groups in turn, genres from a seeded RNG."""
    ideas = IDEAS[language]
    model = story_default("hindi_model" if language == "hi" else "local_english_model")
    per_word = story_default("hindi_tokens_per_word") if language == "hi" else None
    jobs = []
    for i in range(count):
        story_id = f"{language}-{i:03d}"
        rng = random.Random(f"{seed}:{story_id}")
        genres = rng.sample(GENRE_IDS, rng.choice([0, 1, 1, 1, 2, 2]))
        age_group = AGE_GROUPS[i % len(AGE_GROUPS)]
        budget = min(max_tokens_for(language=language, age_group=age_group, tokens_per_word=per_word), story_default("max_story_tokens"))
        max_tokens = fixed_max_tokens or min(budget, cap)
        story_seed = int.from_bytes(hashlib.sha256(f"{seed}:{story_id}".encode()).digest()[:4], "big")
        jobs.append(Job(story_id, language, ideas[i % len(ideas)], genres, age_group, model, max_tokens, story_seed))
    return jobs


def done_ids(out: Path) -> set[str]:
    """Ids already written; an unterminated last line (a run killed mid-write) is cut off first."""
    if not out.exists():
        return set()
    data = out.read_bytes()
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        print(f"dropping an unterminated last line of {out} ({len(data) - keep} bytes)", flush=True)
        with out.open("r+b") as handle:
            handle.truncate(keep)
        data = data[:keep]
    return {json.loads(line)["id"] for line in data.decode().splitlines() if line.strip()}


async def generate(client: httpx.AsyncClient, keys: Keys, job: Job) -> dict[str, Any]:
    """One story as story-service asks for it, streamed; retried while the service answers busy (503)."""
    body: dict[str, Any] = {
        "model": job.model,
        "messages": story_messages(language=job.language, age_group=job.age_group, genres=job.genres, prompt=job.prompt),
        "max_tokens": job.max_tokens,
        "temperature": story_default("temperature"),
        "top_p": story_default("top_p"),
        "seed": job.seed,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    penalty = story_default("local_repetition_penalty")
    if penalty != 1.0:  # story-service sends it only when it is not 1
        body["repetition_penalty"] = penalty
    while True:
        pieces: list[str] = []
        finish_reason, tokens = None, None
        async with client.stream("POST", "/v1/chat/completions", json=body, headers=keys.headers()) as response:
            if response.status_code == 503:
                await response.aread()
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if response.status_code != 200:
                raise RuntimeError(f"{job.id}: {response.status_code} {(await response.aread()).decode(errors='replace')}")
            async for line in response.aiter_lines():
                if not line.startswith("data: {"):
                    continue
                chunk = json.loads(line[6:])
                for choice in chunk.get("choices") or []:
                    pieces.append(choice.get("delta", {}).get("content") or "")
                    finish_reason = choice.get("finish_reason") or finish_reason
                if chunk.get("usage"):
                    tokens = chunk["usage"]["completion_tokens"]
        return {"text": "".join(pieces), "completion_tokens": tokens, "finish_reason": finish_reason}


@dataclass
class Progress:
    total: int
    done: int = 0
    tokens: int = 0
    busy_seconds: float = 0.0


async def worker(
    queue: asyncio.Queue[Job], client: httpx.AsyncClient, keys: Keys, out: Path, cap: int, progress: Progress, rows: list[dict[str, Any]]
) -> None:
    while True:
        try:
            job = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        started = time.perf_counter()
        result = await generate(client, keys, job)
        seconds = round(time.perf_counter() - started, 1)
        row = {
            "id": job.id,
            "language": job.language,
            "prompt": job.prompt,
            "genres": job.genres,
            "age_group": job.age_group,
            "model": job.model,
            "max_tokens": job.max_tokens,
            "text": result["text"],
            "max_tokens_cap": cap,
            "seed": job.seed,
            "completion_tokens": result["completion_tokens"],
            "finish_reason": result["finish_reason"],
            "seconds": seconds,
        }
        with out.open("a", encoding="utf-8") as handle:  # one write per row: a killed run leaves whole lines
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        rows.append(row)
        tokens = result["completion_tokens"] or 0
        progress.done += 1
        progress.tokens += tokens
        rate = tokens / seconds if seconds else 0.0
        print(
            f"[{progress.done:>4}/{progress.total}] {job.id} {job.age_group:>5} {tokens:>4}/{job.max_tokens} tokens "
            f"({result['finish_reason']}) {seconds:>6.1f} s {rate:5.1f} tok/s  {result['text'][:60]!r}",
            flush=True,
        )


async def run(jobs: dict[str, list[Job]], *, url: str, keys: Keys, out: Path, cap: int, concurrency: int) -> list[dict[str, Any]]:
    """`concurrency` streams per language at once: each language is its own base model with its own engine and slots."""
    progress = Progress(total=sum(len(pending) for pending in jobs.values()))
    rows: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(1800, connect=10)) as client:
        tasks = []
        for pending in jobs.values():
            queue: asyncio.Queue[Job] = asyncio.Queue()
            for job in pending:
                queue.put_nowait(job)
            tasks += [worker(queue, client, keys, out, cap, progress, rows) for _ in range(concurrency)]
        await asyncio.gather(*tasks)
    return rows


def summary(rows: list[dict[str, Any]], out: Path, wall: float, cap: int) -> dict[str, Any]:
    """This run's figures, and what the whole file holds."""
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()] if out.exists() else []
    tokens = sum(row["completion_tokens"] or 0 for row in rows)
    return {
        "stories_this_run": len(rows),
        "tokens_this_run": tokens,
        "wall_s": round(wall, 1),
        "aggregate_tok_s": round(tokens / wall, 2) if wall else None,
        "max_tokens_cap": cap,
        "finish_reasons": dict(Counter(str(row["finish_reason"]) for row in rows)),
        "empty_texts": sum(not row["text"].strip() for row in rows),
        "rows_in_file": dict(Counter(row["language"] for row in written)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="the JSON-lines file to append to (and resume from)")
    parser.add_argument("--per-language", type=int, default=100)
    parser.add_argument("--languages", default="hi,en")
    parser.add_argument("--max-tokens-cap", type=int, default=DEFAULT_CAP, help="the most tokens asked for one story")
    parser.add_argument("--max-tokens", type=int, default=None, help="ask every story for exactly this many (overrides the budget)")
    parser.add_argument("--concurrency", type=int, default=4, help="streams at once per language")
    parser.add_argument("--seed", type=int, default=0, help="picks genres and each story's sampling seed")
    parser.add_argument("--service-log", type=Path, default=Path(tempfile.gettempdir()) / "model_stories_service.log")
    args = parser.parse_args()
    languages = [language for language in args.languages.split(",") if language]
    if unknown := set(languages) - set(IDEAS):
        parser.error(f"unknown languages: {sorted(unknown)}")
    cap = args.max_tokens or args.max_tokens_cap
    seen = done_ids(args.out)
    jobs = {
        language: [
            job
            for job in jobs_for(language, args.per_language, seed=args.seed, cap=args.max_tokens_cap, fixed_max_tokens=args.max_tokens)
            if job.id not in seen
        ]
        for language in languages
    }
    pending = sum(len(todo) for todo in jobs.values())
    sampling = {name: story_default(name) for name in ("temperature", "top_p", "local_repetition_penalty")}
    print(
        f"max_tokens cap {cap}; {pending} stories to write ({len(seen)} already in {args.out}); "
        f"{args.concurrency} streams per language; sampling {sampling}; service log {args.service_log}",
        flush=True,
    )
    if not pending:
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    keys = Keys(*generate_key_pair())
    # The service's own defaults (engine, models, adapters, slots), as the dev stack starts it.
    target = Target("transformers", sys.executable, LlmSettings.model_fields["max_concurrent"].default, {})
    started = time.perf_counter()
    with service(target, keys, args.service_log) as url:
        print(f"hindi-llm-service ready after {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        rows = asyncio.run(run(jobs, url=url, keys=keys, out=args.out, cap=cap, concurrency=args.concurrency))
    print(json.dumps(summary(rows, args.out, time.perf_counter() - started, cap), ensure_ascii=False))


if __name__ == "__main__":
    main()
