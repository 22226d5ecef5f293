"""The CPU engine: a transformers causal LM, optional peft LoRA adapters, one batching generation worker thread."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

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
from hindi_llm_service.engine.generation import new_generation
from hindi_llm_service.engine.worker import GenerationWorker
from hindi_llm_service.metrics import EngineMetrics

logger = logging.getLogger("hindi_llm_service.engine")


class GenerationFailed(EngineError):
    status, code = 500, "internal_error"


class TransformersEngine:
    """Serves one base model and its adapters on CPU; see engine/worker.py for how requests share the model."""

    def __init__(
        self,
        *,
        model_path: Path,
        model_name: str,
        adapters: dict[str, Path],
        max_concurrent: int,
        max_queued: int,
        torch_threads: int,
        metrics: EngineMetrics,
    ) -> None:
        self._model_path = model_path
        self._model_name = model_name
        self._adapter_paths = dict(adapters)
        self._max_concurrent = max_concurrent
        self._max_in_engine = max_concurrent + max_queued
        self._torch_threads = torch_threads
        self._metrics = metrics
        self._tokenizer: Any = None
        self._worker_tokenizer: Any = None
        self._model: Any = None
        self._context_length = 0
        self._worker: Any = None
        self._in_engine = 0

    @property
    def base_model(self) -> str:
        return self._model_name

    def adapter_names(self) -> list[str]:
        return list(self._adapter_paths)

    def is_ready(self) -> bool:
        return self._worker is not None

    @property
    def tokens_generated(self) -> int:
        """Tokens produced since start (all requests); tests watch it to see generation stop."""
        return self._worker.tokens_generated if self._worker is not None else 0

    @property
    def forward_passes(self) -> int:
        """Model forward passes since start; with batching, far fewer than tokens when requests run together."""
        return self._worker.steps if self._worker is not None else 0

    async def start(self) -> None:
        started = time.perf_counter()
        await asyncio.to_thread(self._load)
        logger.info(
            "model loaded",
            extra={
                "fields": {
                    "model": self._model_name,
                    "adapters": self.adapter_names(),
                    "seconds": round(time.perf_counter() - started, 2),
                }
            },
        )

    def _load(self) -> None:
        if self._torch_threads:
            torch.set_num_threads(self._torch_threads)
        self._tokenizer = AutoTokenizer.from_pretrained(str(self._model_path))
        if not self._tokenizer.chat_template:
            raise ValueError(f"{self._model_path} has no chat template")
        # The worker decodes with its own tokenizer so encoding here never contends with it.
        self._worker_tokenizer = AutoTokenizer.from_pretrained(str(self._model_path))
        model = AutoModelForCausalLM.from_pretrained(str(self._model_path), dtype=torch.float32)
        model.eval()
        self._context_length = int(getattr(model.config, "max_position_embeddings", 0) or 0)
        if self._adapter_paths:
            model = self._with_adapters(model)
        self._model = model
        worker = GenerationWorker(
            model=model,
            eos_ids=self._eos_ids(model),
            uses_adapters=bool(self._adapter_paths),
            max_concurrent=self._max_concurrent,
            torch_threads=self._torch_threads,
            on_token=self._metrics.generated_tokens.inc,
        )
        worker.start()
        self._worker = worker

    def _with_adapters(self, model: Any) -> Any:
        from peft import PeftModel

        (first_name, first_path), *others = self._adapter_paths.items()
        peft_model = PeftModel.from_pretrained(model, str(first_path), adapter_name=first_name)
        for name, path in others:
            peft_model.load_adapter(str(path), adapter_name=name)
        peft_model.eval()
        return peft_model

    def _eos_ids(self, model: Any) -> frozenset[int]:
        configured = getattr(model.generation_config, "eos_token_id", None)
        ids = configured if isinstance(configured, list) else [configured]
        return frozenset(int(i) for i in [*ids, self._tokenizer.eos_token_id] if i is not None)

    def _encode(self, messages: tuple[ChatTurn, ...]) -> list[int]:
        conversation = [{"role": m.role, "content": m.content} for m in messages]
        text = self._tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)
        return list(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _check_accepts(self, request: GenerationRequest) -> None:
        if self._worker is None:
            raise EngineNotReady("the model is still loading")
        if request.adapter is not None and request.adapter not in self._adapter_paths:
            raise UnknownModel(f"model {request.adapter!r} not found")
        if self._in_engine >= self._max_in_engine:
            raise EngineBusy("too many requests in progress; retry shortly")

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        """Queue the request, yield an empty delta once accepted, then its text; closing this generator cancels it."""
        self._check_accepts(request)
        arrived = time.perf_counter()
        self._in_engine += 1
        self._metrics.requests_in_engine.inc()
        outcome, last, generation = "refused", None, None
        try:
            prompt_ids = await asyncio.to_thread(self._encode, request.messages)
            room = self._context_length - len(prompt_ids) if self._context_length else request.max_tokens
            if room < 1:
                raise PromptTooLong(f"the prompt has {len(prompt_ids)} tokens; the context is {self._context_length}")
            results: asyncio.Queue[GenerationDelta | BaseException] = asyncio.Queue()
            generation = new_generation(
                request=request,
                prompt_ids=prompt_ids,
                results=results,
                max_tokens=min(request.max_tokens, room),
                decoder=self._worker_tokenizer,
            )
            self._worker.submit(generation)
            outcome = "cancelled"
            yield GenerationDelta("", len(prompt_ids), 0)
            while last is None or last.finish_reason is None:
                item = await results.get()
                if isinstance(item, BaseException):
                    outcome = "error"
                    raise GenerationFailed("generation failed") from item
                if last is None:
                    self._metrics.time_to_first_token.observe(time.perf_counter() - arrived)
                last = item
                yield item
            outcome = last.finish_reason
        finally:
            if generation is not None:
                generation.cancelled.set()  # the worker drops it before its next step
            self._in_engine -= 1
            self._metrics.requests_in_engine.dec()
            self._metrics.finished.labels(outcome).inc()
            self._log_generation(request=request, outcome=outcome, last=last, seconds=time.perf_counter() - arrived)

    def _log_generation(self, *, request: GenerationRequest, outcome: str, last: GenerationDelta | None, seconds: float) -> None:
        logger.info(
            "generation ended",
            extra={
                "fields": {
                    "model": request.adapter or self._model_name,
                    "outcome": outcome,
                    "seconds": round(seconds, 3),
                    "prompt_tokens": last.prompt_tokens if last else None,
                    "completion_tokens": last.completion_tokens if last else None,
                }
            },
        )

    async def close(self) -> None:
        if self._worker is not None:
            worker, self._worker = self._worker, None
            await asyncio.to_thread(worker.stop)
