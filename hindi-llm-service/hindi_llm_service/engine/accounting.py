"""What both engines do the same way around a generation: names, admission checks, prompt encoding, the
in-engine count, metrics and the closing log line. Each engine adds only how it loads and generates."""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hindi_llm_service.engine.base import (
    ChatTurn,
    EngineBusy,
    EngineError,
    EngineNotReady,
    GenerationDelta,
    GenerationRequest,
    PromptTooLong,
    UnknownModel,
)
from hindi_llm_service.metrics import EngineMetrics

logger = logging.getLogger("hindi_llm_service.engine")


class GenerationFailed(EngineError):
    status, code = 500, "internal_error"


@dataclass
class Generation:
    """One request's account while it is in the engine: `outcome` is what the metrics and the log will say."""

    arrived: float
    outcome: str = "refused"
    last: GenerationDelta | None = None

    def first_token(self, metrics: EngineMetrics) -> None:
        metrics.time_to_first_token.observe(time.perf_counter() - self.arrived)


class EngineAccounting(ABC):
    """Base of the engines. Subclasses set `_tokenizer` and `_context_length` once loaded and say, through
    `_not_ready`, why they cannot take a request yet."""

    def __init__(self, *, model_name: str, adapters: dict[str, Path], max_concurrent: int, max_queued: int, metrics: EngineMetrics) -> None:
        self._model_name = model_name
        self._adapter_paths = dict(adapters)
        self._max_concurrent = max_concurrent
        self._max_in_engine = max_concurrent + max_queued
        self._metrics = metrics
        self._tokenizer: Any = None
        self._context_length = 0  # 0: unknown, only max_tokens bounds a completion
        self._in_engine = 0

    @property
    def base_model(self) -> str:
        return self._model_name

    def adapter_names(self) -> list[str]:
        return list(self._adapter_paths)

    @abstractmethod
    def _not_ready(self) -> str | None:
        """Why no request can be taken now (None when one can)."""

    def _check_accepts(self, request: GenerationRequest) -> None:
        if (reason := self._not_ready()) is not None:
            raise EngineNotReady(reason)
        if request.adapter is not None and request.adapter not in self._adapter_paths:
            raise UnknownModel(f"model {request.adapter!r} not found")
        if self._in_engine >= self._max_in_engine:
            raise EngineBusy("too many requests in progress; retry shortly")

    def _encode(self, messages: tuple[ChatTurn, ...]) -> list[int]:
        conversation = [{"role": m.role, "content": m.content} for m in messages]
        text = self._tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)
        return list(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    async def _prompt(self, request: GenerationRequest) -> tuple[list[int], int]:
        """The prompt's token ids (encoded off the event loop) and the most tokens the completion may have."""
        prompt_ids = await asyncio.to_thread(self._encode, request.messages)
        room = self._context_length - len(prompt_ids) if self._context_length else request.max_tokens
        if room < 1:
            raise PromptTooLong(f"the prompt has {len(prompt_ids)} tokens; the context is {self._context_length}")
        return prompt_ids, min(request.max_tokens, room)

    @contextmanager
    def _accounted(self, request: GenerationRequest) -> Iterator[Generation]:
        """Checks the request can be taken, then counts it in the engine until the block ends; the metrics and
        the log line then record `Generation.outcome`."""
        self._check_accepts(request)
        generation = Generation(time.perf_counter())
        self._in_engine += 1
        self._metrics.requests_in_engine.inc()
        try:
            yield generation
        finally:
            self._in_engine -= 1
            self._metrics.requests_in_engine.dec()
            self._metrics.finished.labels(generation.outcome).inc()
            last = generation.last
            logger.info(
                "generation ended",
                extra={
                    "fields": {
                        "model": request.adapter or self._model_name,
                        "outcome": generation.outcome,
                        "seconds": round(time.perf_counter() - generation.arrived, 3),
                        "prompt_tokens": last.prompt_tokens if last else None,
                        "completion_tokens": last.completion_tokens if last else None,
                    }
                },
            )
