"""The one thread that runs the model: every step, one forward pass advances all active generations by a token.

All torch work for a model happens on this thread, so requests never race on the model. Up to `max_concurrent`
generations share a left-padded batch (engine/batch.py); between steps, finished or cancelled ones leave and
waiting ones join (prefilled together, then spliced into the batch), taken round-robin by user
(engine/scheduler.py). A prompt prefilled recently is not prefilled again (engine/prefill_cache.py).
Each row keeps its own sampling parameters, RNG and LoRA adapter: with adapters loaded, peft's
mixed-adapter batches apply each row's adapter (or none) within the same pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from hindi_llm_service.engine.base import FinishReason, GenerationDelta
from hindi_llm_service.engine.batch import Batch, left_padded, positions, split_prefill
from hindi_llm_service.engine.prefill_cache import PrefillCache
from hindi_llm_service.engine.sampling import choose_token, penalised, repetition_penalised
from hindi_llm_service.engine.scheduler import FairQueue
from hindi_llm_service.engine.text_stream import TextStream

logger = logging.getLogger("hindi_llm_service.worker")
IDLE_POLL_SECONDS = 0.5
BASE_ADAPTER = "__base__"  # peft's name for "no adapter" in a mixed-adapter batch

Emit = Callable[[GenerationDelta | BaseException], None]


@dataclass(eq=False)
class Generation:
    """One request's generation state. The API side only ever sets `cancelled`; the rest belongs to the worker."""

    prompt_ids: list[int]
    adapter: str | None
    max_tokens: int
    temperature: float
    top_p: float
    generator: torch.Generator
    text: TextStream
    emit: Emit
    user: str = ""
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    repetition_penalty: float = 1.0
    cancelled: threading.Event = field(default_factory=threading.Event)
    completion_ids: list[int] = field(default_factory=list)

    def delta(self, text: str, finish_reason: FinishReason | None = None) -> GenerationDelta:
        return GenerationDelta(text, len(self.prompt_ids), len(self.completion_ids), finish_reason)


class GenerationWorker:
    """Owns the model thread: `submit` from any thread, results come back through each generation's `emit`."""

    def __init__(
        self,
        *,
        model: Any,
        eos_ids: frozenset[int],
        uses_adapters: bool,
        max_concurrent: int,
        prefill_cache_size: int = 8,
        torch_threads: int = 0,
        on_token: Callable[[], None] = lambda: None,
    ) -> None:
        self._model = model
        self._eos_ids = eos_ids
        self._uses_adapters = uses_adapters
        self._max_concurrent = max_concurrent
        self._torch_threads = torch_threads
        self._on_token = on_token
        self._waiting: FairQueue[Generation] = FairQueue()
        self._active: list[Generation] = []
        self._batch = Batch()
        self._prefills = PrefillCache(prefill_cache_size)
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="generation-worker", daemon=True)
        self.tokens_generated = 0
        self.steps = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, generation: Generation) -> None:
        self._waiting.put(generation)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current step, drop everything else, and end the thread."""
        self._closing = True
        self._waiting.wake()
        self._thread.join(timeout)

    def _run(self) -> None:
        torch.set_grad_enabled(False)
        if self._torch_threads:
            torch.set_num_threads(self._torch_threads)  # set on this thread too: it does the model's work
        while not self._closing:
            self._leave([g for g in self._active if g.cancelled.is_set()])
            newcomers = self._admit()
            if newcomers:
                self._guarded(newcomers, self._join, newcomers)
            if self._active:
                self._guarded(list(self._active), self._step)
        self._fail_remaining()

    def _guarded(self, rows: list[Generation], work: Callable[..., None], *args: Any) -> None:
        """Run one forward pass; if it fails, the rows it touched fail and the worker carries on."""
        try:
            work(*args)
        except Exception as exc:
            logger.exception("generation failed")
            for generation in rows:
                generation.emit(exc)
            self._leave(rows)

    def _admit(self) -> list[Generation]:
        """Take waiting requests (round-robin by user) into free slots; block briefly only when idle."""
        newcomers: list[Generation] = []
        while len(self._active) + len(newcomers) < self._max_concurrent:
            idle = not self._active and not newcomers
            generation = self._waiting.pop(timeout=IDLE_POLL_SECONDS if idle else 0)
            if generation is None:
                break
            if not generation.cancelled.is_set():
                newcomers.append(generation)
        return newcomers

    def _leave(self, finished: Sequence[Generation]) -> None:
        if not finished:
            return
        gone = set(map(id, finished))
        kept = [row for row, g in enumerate(self._active) if id(g) not in gone]
        self._batch.keep(kept)  # the KV cache rows are the bulk of a generation's memory
        self._active = [self._active[row] for row in kept]

    @torch.inference_mode()
    def _join(self, newcomers: list[Generation]) -> None:
        """Prefill the newcomers' distinct, not recently seen prompts in one pass, then splice all into the batch."""
        keys = [(g.adapter, tuple(g.prompt_ids)) for g in newcomers]
        prefilled = {key: hit for key in keys if (hit := self._prefills.get(key)) is not None}
        misses = list(dict.fromkeys(key for key in keys if key not in prefilled))
        template = self._batch.cache
        if misses:
            ids, mask = left_padded([list(prompt) for _, prompt in misses])
            output = self._forward([adapter for adapter, _ in misses], ids, mask, past=None)
            template = template or output.past_key_values
            rows = split_prefill(output.past_key_values, [len(prompt) for _, prompt in misses], output.logits[:, -1])
            for key, row in zip(misses, rows, strict=True):
                prefilled[key] = row
                self._prefills.put(key, row)
        self._batch.add([prefilled[key] for key in keys], template)
        self._active.extend(newcomers)
        self._sample(newcomers, torch.stack([prefilled[key].logits for key in keys]))

    @torch.inference_mode()
    def _step(self) -> None:
        """One decode pass: each active row's last token in, its next token out."""
        rows = list(self._active)
        ids = torch.tensor([[g.completion_ids[-1]] for g in rows], dtype=torch.long)
        output = self._forward([g.adapter for g in rows], ids, self._batch.append_step(), past=self._batch.cache)
        self._batch.cache = output.past_key_values
        self._sample(rows, output.logits[:, -1])

    def _forward(self, adapters: Sequence[str | None], ids: torch.Tensor, mask: torch.Tensor, past: Any) -> Any:
        extra = {"adapter_names": [a or BASE_ADAPTER for a in adapters]} if self._uses_adapters else {}
        self.steps += 1
        # logits_to_keep=1: only the last position's logits are needed (saves a vocab-sized matmul per prompt token).
        return self._model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions(mask, ids.shape[1]),
            past_key_values=past,
            use_cache=True,
            logits_to_keep=1,
            **extra,
        )

    def _sample(self, rows: Sequence[Generation], logits: torch.Tensor) -> None:
        finished = [g for g, row_logits in zip(rows, logits, strict=True) if self._emit_token(g, row_logits)]
        self._leave(finished)

    def _emit_token(self, generation: Generation, logits: torch.Tensor) -> bool:
        """Choose and report `generation`'s next token; True once it has finished."""
        if generation.frequency_penalty or generation.presence_penalty:
            logits = penalised(
                logits, generation.completion_ids, frequency=generation.frequency_penalty, presence=generation.presence_penalty
            )
        if generation.repetition_penalty != 1.0:
            logits = repetition_penalised(logits, [*generation.prompt_ids, *generation.completion_ids], generation.repetition_penalty)
        token = choose_token(logits, temperature=generation.temperature, top_p=generation.top_p, generator=generation.generator)
        generation.completion_ids.append(token)
        self.tokens_generated += 1
        self._on_token()
        finish = self._finish_reason(generation, token)
        text = "" if token in self._eos_ids else generation.text.add(token)
        if generation.text.stopped:
            finish = "stop"
        if finish is not None:
            text += generation.text.finish()
        if text or finish is not None:
            generation.emit(generation.delta(text, finish))
        return finish is not None

    def _finish_reason(self, generation: Generation, token: int) -> FinishReason | None:
        if token in self._eos_ids:
            return "stop"
        if len(generation.completion_ids) >= generation.max_tokens:
            return "length"
        return None

    def _fail_remaining(self) -> None:
        for generation in [*self._active, *self._waiting.drain()]:
            generation.emit(RuntimeError("the engine is shutting down"))
        self._active = []
        self._batch.keep([])
