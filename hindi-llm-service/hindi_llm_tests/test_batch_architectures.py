"""The batching worker on models of other shapes: rows joining and leaving mid-flight say what they say alone.

Gemma 3 mixes sliding-window and full attention layers (a possible next base model); the window here is
shorter than the prompts and answers, so the sliding layers' cache is cut while rows are spliced and trimmed.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from typing import Any

import pytest
import torch
from transformers import Gemma3ForCausalLM, Gemma3TextConfig, LlamaConfig, LlamaForCausalLM

from hindi_llm_service.engine.base import GenerationDelta
from hindi_llm_service.engine.sampling import request_generator
from hindi_llm_service.engine.text_stream import TextStream
from hindi_llm_service.engine.worker import Generation, GenerationWorker

PROMPTS = [list(range(5, 5 + n)) for n in (3, 12, 20, 7)]
MAX_TOKENS = [20, 6, 14, 20]


class IdsText:
    def decode(self, token_ids: Sequence[int], *, skip_special_tokens: bool) -> str:
        return " ".join(map(str, token_ids))


def gemma3() -> Any:
    torch.manual_seed(0)
    config = Gemma3TextConfig(
        vocab_size=300, hidden_size=64, intermediate_size=128, num_hidden_layers=4, num_attention_heads=2, num_key_value_heads=1,
        head_dim=32, sliding_window=8, layer_types=["sliding_attention", "full_attention"] * 2, max_position_embeddings=512,
    )  # fmt: skip
    return Gemma3ForCausalLM(config).eval()


def llama() -> Any:
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=300, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1
    )
    return LlamaForCausalLM(config).eval()


def generate(model: Any, waves: list[list[int]], max_concurrent: int) -> dict[int, list[int]]:
    """Greedy answers for PROMPTS[i]; each wave is submitted once the previous wave has produced a token."""
    worker = GenerationWorker(model=model, eos_ids=frozenset(), uses_adapters=False, max_concurrent=max_concurrent)
    worker.start()
    results: dict[int, tuple[Generation, queue.Queue[GenerationDelta | BaseException]]] = {}
    try:
        for wave in waves:
            for i in wave:
                inbox: queue.Queue[GenerationDelta | BaseException] = queue.Queue()
                text = TextStream(IdsText(), ())
                generation = Generation(PROMPTS[i], None, MAX_TOKENS[i], 0.0, 1.0, request_generator(0), text, inbox.put, user=str(i))
                results[i] = (generation, inbox)
                worker.submit(generation)
            for i in wave:
                first = results[i][1].get(timeout=60)
                results[i][1].put(first)
        for _, inbox in results.values():
            while not isinstance(item := inbox.get(timeout=60), BaseException) and item.finish_reason is None:
                pass
            assert not isinstance(item, BaseException)
    finally:
        worker.stop()
    return {i: generation.completion_ids for i, (generation, _) in results.items()}


@pytest.mark.parametrize("build", [gemma3, llama], ids=["gemma3-sliding-window", "llama"])
def test_rows_joining_and_leaving_mid_flight_match_their_answers_alone(build: Any) -> None:
    model = build()
    alone = {i: generate(model, [[i]], max_concurrent=1)[i] for i in range(len(PROMPTS))}
    staggered = generate(model, [[0, 1], [2], [3]], max_concurrent=4)
    assert staggered == alone
    assert [len(alone[i]) for i in range(len(PROMPTS))] == MAX_TOKENS
