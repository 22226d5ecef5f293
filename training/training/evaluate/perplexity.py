"""Held-out perplexity: the loss on story tokens only, the same tokens training is scored on."""

from __future__ import annotations

import math
from typing import Any

import torch

from training.dataset.corpus import Record
from training.train.examples import IGNORE, Example, collate, encode, prompt_text, render_example, story_text
from training.train.loss import story_nll
from training.train.model import device


@torch.no_grad()
def story_perplexity(model: Any, tokenizer: Any, records: list[Record], *, max_length: int, batch_size: int) -> dict[str, float]:
    """exp(mean story-token NLL) over the records, each cut to `max_length` tokens like a training example."""
    examples = [render_example(tokenizer, record, max_length=max_length) for record in records]
    total, count = 0.0, 0
    for start in range(0, len(examples), batch_size):
        batch = collate(examples[start : start + batch_size], pad_id=tokenizer.pad_token_id).to(device())
        nll, tokens = story_nll(model, batch)
        total, count = total + float(nll), count + tokens
    mean = total / max(count, 1)
    return {"perplexity": math.exp(mean), "story_nll": mean, "story_tokens": count}


def story_prefix(record: Record, chars: int) -> str:
    """The answer text (title and story) cut at the last word boundary within `chars` characters."""
    text = story_text(record)
    if len(text) <= chars:
        return text
    cut = text[:chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def prefix_example(tokenizer: Any, record: Record, chars: int) -> tuple[Example, int]:
    """The prompt (unscored) then the answer's first `chars` characters (scored), and that text's length."""
    prompt_ids, text = encode(tokenizer, prompt_text(tokenizer, record)), story_prefix(record, chars)
    story_ids = encode(tokenizer, text)
    return Example(input_ids=prompt_ids + story_ids, labels=[IGNORE] * len(prompt_ids) + story_ids), len(text)


@torch.no_grad()
def bits_per_character(model: Any, tokenizer: Any, records: list[Record], *, chars: int, batch_size: int) -> dict[str, float]:
    """Bits per character of the same text for every tokenizer: the summed NLL of the answer's first `chars`
    characters, in bits, over those characters. Perplexity per token cannot compare tokenizers; this can."""
    pairs = [prefix_example(tokenizer, record, chars) for record in records]
    total, count = 0.0, 0
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        batch = collate([example for example, _ in chunk], pad_id=tokenizer.pad_token_id).to(device())
        nll, _ = story_nll(model, batch)
        total, count = total + float(nll), count + sum(length for _, length in chunk)
    return {"bits_per_char": total / math.log(2) / max(count, 1), "bpc_chars": count}
