"""Offline Hindi story speed: hindi-llm-service with its default base and bundled `storyscape-hi` adapter (what
`make run` serves), one Hindi story streamed at a time, as story-service asks for it (its system + user messages,
temperature 0.8, top-p 0.95). Prints a table, then one JSON line with the figures.

Usage: .venv/bin/python bench/bench_hindi_story.py [--stories 2] [--max-tokens 320] [--model-path .models/gemma3-270m]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from openai import AsyncOpenAI
from storyscape_devtools.testing import LiveServer, new_test_keys

from hindi_llm_service.main import create_app
from hindi_llm_service.settings import Settings
from storyscape_common.story_prompts import story_messages
from training.dataset.text_units import words

IDEAS = ["नदी किनारे मिला एक पुराना नक्शा", "दादी की रसोई में छिपा रहस्य", "बारिश में भीगती एक बिल्ली", "पहाड़ पर अकेला पेड़"]
REALISTIC_WORDS = 150


async def stream_story(client: AsyncOpenAI, model: str, idea: str, max_tokens: int) -> dict[str, Any]:
    started, first, text = time.perf_counter(), None, ""
    messages: Any = story_messages(language="hi", age_group="6-8", genres=["adventure"], prompt=idea)
    stream = await client.chat.completions.create(
        model=model, messages=messages, stream=True, max_tokens=max_tokens, temperature=0.8, top_p=0.95
    )
    async for chunk in stream:
        piece = chunk.choices[0].delta.content if chunk.choices else None
        if piece:
            first = first or time.perf_counter()
            text += piece
    total = time.perf_counter() - started
    return {"idea": idea, "words": len(words(text)), "ttft_s": round((first or started) - started, 2), "total_s": round(total, 2)}


async def measure(server: LiveServer, token: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    client = AsyncOpenAI(base_url=f"{server.url}/v1", api_key=token, max_retries=0, timeout=600)
    return [await stream_story(client, args.model, IDEAS[i % len(IDEAS)], args.max_tokens) for i in range(args.stories)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=320, help="Gemma: ~1.6 tokens per Hindi word")
    parser.add_argument("--model-path", type=Path, default=None, help="default: the service's default base")
    parser.add_argument("--model", default="storyscape-hi", help="the model or adapter name to ask for")
    args = parser.parse_args()
    keys = new_test_keys()
    overrides = {"model_path": args.model_path} if args.model_path else {}
    settings = Settings(environment="test", internal_public_keys=keys.public_keys, extra_model_paths=[], **overrides)
    with LiveServer(create_app(settings)) as server:
        server.wait_ready(timeout=300)
        token = keys.signer("story-service").sign(user_id="bench", audience="hindi-llm-service", request_id="bench")
        rows = asyncio.run(measure(server, token, args))
    print(f"\nbase {settings.model_name}, model {args.model}\n\n| idea | words | TTFT s | total s |\n|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['idea']} | {row['words']} | {row['ttft_s']} | {row['total_s']} |")
    per_150 = [row["total_s"] * REALISTIC_WORDS / max(row["words"], 1) for row in rows]
    print(
        json.dumps(
            {
                "base": settings.model_name,
                "model": args.model,
                "stories": len(rows),
                "mean_words": statistics.fmean(row["words"] for row in rows),
                "ttft_s_mean": round(statistics.fmean(row["ttft_s"] for row in rows), 2),
                "total_s_mean": round(statistics.fmean(row["total_s"] for row in rows), 2),
                "s_per_150_words_mean": round(statistics.fmean(per_150), 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
