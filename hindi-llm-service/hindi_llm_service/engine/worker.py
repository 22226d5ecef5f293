"""The one thread that runs the model: it advances every active generation by one token in turn.

All torch work for a model happens on this thread, so requests never race on the model or its active LoRA
adapter. Up to `max_concurrent` generations are interleaved token by token (each keeps its own KV cache), so
a long story does not hold a short one back; further requests wait in arrival order.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from hindi_llm_service.engine.base import FinishReason, GenerationDelta
from hindi_llm_service.engine.sampling import choose_token
from hindi_llm_service.engine.text_stream import TextStream

logger = logging.getLogger("hindi_llm_service.worker")
IDLE_POLL_SECONDS = 0.5

Emit = Callable[[GenerationDelta | BaseException], None]
SelectAdapter = Callable[[str | None], None]


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
    cancelled: threading.Event = field(default_factory=threading.Event)
    cache: Any = None
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
        select_adapter: SelectAdapter,
        max_concurrent: int,
        torch_threads: int = 0,
        on_token: Callable[[], None] = lambda: None,
    ) -> None:
        self._model = model
        self._eos_ids = eos_ids
        self._select_adapter = select_adapter
        self._max_concurrent = max_concurrent
        self._torch_threads = torch_threads
        self._on_token = on_token
        self._waiting: queue.Queue[Generation | None] = queue.Queue()
        self._active: list[Generation] = []
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="generation-worker", daemon=True)
        self.tokens_generated = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, generation: Generation) -> None:
        self._waiting.put(generation)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current step, drop everything else, and end the thread."""
        self._closing = True
        self._waiting.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        torch.set_grad_enabled(False)
        if self._torch_threads:
            torch.set_num_threads(self._torch_threads)  # set on this thread too: it does the model's work
        while not self._closing:
            self._admit()
            for generation in list(self._active):
                if generation.cancelled.is_set() or self._closing or self._advance(generation):
                    self._retire(generation)
        self._fail_remaining()

    def _retire(self, generation: Generation) -> None:
        self._active.remove(generation)
        generation.cache = None  # the KV cache is the bulk of a generation's memory

    def _fail_remaining(self) -> None:
        leftovers: list[Generation | None] = list(self._active)
        while not self._waiting.empty():
            leftovers.append(self._waiting.get_nowait())
        for generation in leftovers:
            if generation is not None:
                generation.emit(RuntimeError("the engine is shutting down"))

    def _admit(self) -> None:
        """Move waiting requests into free slots; block (briefly) only when there is nothing to run."""
        while len(self._active) < self._max_concurrent:
            try:
                generation = self._waiting.get(block=not self._active, timeout=IDLE_POLL_SECONDS)
            except queue.Empty:
                return
            if generation is None:
                return
            if not generation.cancelled.is_set():
                self._active.append(generation)

    def _advance(self, generation: Generation) -> bool:
        """Generate one token for `generation` and report it; True once it has finished (or failed)."""
        try:
            return self._step(generation)
        except Exception as exc:  # the request fails, the worker carries on
            logger.exception("generation failed")
            generation.emit(exc)
            return True

    @torch.inference_mode()
    def _step(self, generation: Generation) -> bool:
        self._select_adapter(generation.adapter)
        ids = generation.prompt_ids if generation.cache is None else generation.completion_ids[-1:]
        # logits_to_keep=1: only the last position's logits are needed (saves a vocab-sized matmul per prompt token).
        output = self._model(input_ids=torch.tensor([ids]), past_key_values=generation.cache, use_cache=True, logits_to_keep=1)
        generation.cache = output.past_key_values
        token = choose_token(
            output.logits[0, -1], temperature=generation.temperature, top_p=generation.top_p, generator=generation.generator
        )
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
