"""Stories generated for held-out prompts, batched with left padding, greedy unless a temperature is set."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import torch

from training.dataset.corpus import Record
from training.train.examples import prompt_text
from training.train.model import device


@dataclass(frozen=True)
class Generated:
    text: str
    finished: bool  # ended with an end-of-turn token rather than at max_new_tokens
    tokens: int  # new tokens generated, the end-of-turn token included


def generation_options(
    tokenizer: Any, *, max_new_tokens: int, temperature: float, top_p: float = 1.0, repetition_penalty: float = 1.0
) -> dict[str, Any]:
    options: dict[str, Any] = {"max_new_tokens": max_new_tokens, "pad_token_id": tokenizer.pad_token_id}
    if repetition_penalty != 1.0:  # as hindi-llm-service and vLLM apply it: prompt and completion tokens alike
        options["repetition_penalty"] = repetition_penalty
    if temperature > 0:
        return {**options, "do_sample": True, "temperature": temperature, "top_p": top_p, "top_k": 0}
    return {**options, "do_sample": False, "temperature": None, "top_p": None, "top_k": None}


@torch.no_grad()
def generate_stories(
    model: Any,
    tokenizer: Any,
    records: list[Record],
    *,
    max_new_tokens: int,
    temperature: float,
    batch_size: int,
    seed: int,
    top_p: float = 1.0,
    repetition_penalty: float = 1.0,
) -> tuple[list[Generated], float]:
    """One story per record and the seconds it took; the same seed for every model so sampling is comparable."""
    torch.manual_seed(seed)
    options = generation_options(
        tokenizer, max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p, repetition_penalty=repetition_penalty
    )
    stops = set(
        model.generation_config.eos_token_id
        if isinstance(model.generation_config.eos_token_id, list)
        else [model.generation_config.eos_token_id, tokenizer.eos_token_id]
    )
    results: list[Generated] = []
    started = time.perf_counter()
    for start in range(0, len(records), batch_size):
        prompts = [prompt_text(tokenizer, record) for record in records[start : start + batch_size]]
        inputs = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(device())
        output = model.generate(**inputs, **options)
        for row in output[:, inputs["input_ids"].shape[1] :].tolist():
            ends = [i for i, token in enumerate(row) if token in stops]
            kept = row[: ends[0] + 1] if ends else row  # what follows the first stop is padding
            results.append(Generated(tokenizer.decode(kept, skip_special_tokens=True).strip(), bool(ends), len(kept)))
    return results, time.perf_counter() - started
