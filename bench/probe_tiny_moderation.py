"""How often the offline moderator blocks a story sampled from the tests' tiny random Llama.

Why the story tests sample greedily: at temperature 1.0 the tiny model's random bytes now and then read as
profanity, and a story a test expects to complete is (rightly) blocked. For each prompt the story tests use, this
samples `--samples` stories of 24 tokens as story-service would ask for them and checks each with
`OfflineModerator`. Prints a table, then one JSON line.

Usage: .venv/bin/python bench/probe_tiny_moderation.py [--samples 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import torch
from storyscape_devtools.tiny_llama import build_tiny_llama
from transformers import AutoModelForCausalLM, AutoTokenizer

from storyscape_common.story_prompts import story_messages
from storyscape_safety.offline import OfflineModerator

CASES = [  # (language, age group, genres, prompt) as in story-service's tests
    ("hi", "9-12", ["रेलगाड़ी"], "एक जादुई रेलगाड़ी"),
    ("en", "9-12", [], "a train"),
    ("en", "3-5", ["animals"], "A little elephant who is afraid of water"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    model_dir = build_tiny_llama(Path(tempfile.mkdtemp()) / "tiny-llama", seed=0)
    tokenizer: Any = AutoTokenizer.from_pretrained(model_dir)
    model: Any = AutoModelForCausalLM.from_pretrained(model_dir)
    moderator = OfflineModerator()
    blocked: dict[str, int] = {}
    for language, age_group, genres, prompt in CASES:
        messages = story_messages(language=language, age_group=age_group, genres=genres, prompt=prompt)
        ids: Any = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
        ids = ids if isinstance(ids, torch.Tensor) else ids["input_ids"]
        count = 0
        for _ in range(args.samples):
            out = model.generate(ids, do_sample=True, temperature=1.0, top_p=1.0, max_new_tokens=24, pad_token_id=tokenizer.eos_token_id)
            text: str = tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
            count += asyncio.run(moderator.check_text(text, language=language)).blocked
        blocked[prompt] = count
    print(f"{'prompt':45} {'sampled':>8} {'blocked':>8}")
    for prompt, count in blocked.items():
        print(f"{prompt:45} {args.samples:8} {count:8}")
    total = sum(blocked.values())
    print(
        json.dumps({"samples": args.samples * len(CASES), "blocked": total, "blocked_share": round(total / (args.samples * len(CASES)), 4)})
    )


if __name__ == "__main__":
    main()
