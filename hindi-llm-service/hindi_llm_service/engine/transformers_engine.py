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

from hindi_llm_service.engine.accounting import EngineAccounting, GenerationFailed
from hindi_llm_service.engine.base import GenerationDelta, GenerationRequest
from hindi_llm_service.engine.generation import new_generation
from hindi_llm_service.engine.worker import GenerationWorker
from hindi_llm_service.metrics import EngineMetrics

logger = logging.getLogger("hindi_llm_service.engine")


class TransformersEngine(EngineAccounting):
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
        super().__init__(model_name=model_name, adapters=adapters, max_concurrent=max_concurrent, max_queued=max_queued, metrics=metrics)
        self._model_path = model_path
        self._torch_threads = torch_threads
        self._worker_tokenizer: Any = None
        self._model: Any = None
        self._worker: Any = None

    def is_ready(self) -> bool:
        return self._worker is not None

    def _not_ready(self) -> str | None:
        return None if self._worker is not None else "the model is still loading"

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

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        """Queue the request, yield an empty delta once accepted, then its text; closing this generator cancels it."""
        with self._accounted(request) as account:
            generation = None
            try:
                prompt_ids, max_tokens = await self._prompt(request)
                results: asyncio.Queue[GenerationDelta | BaseException] = asyncio.Queue()
                generation = new_generation(
                    request=request, prompt_ids=prompt_ids, results=results, max_tokens=max_tokens, decoder=self._worker_tokenizer
                )
                self._worker.submit(generation)
                account.outcome = "cancelled"
                yield GenerationDelta("", len(prompt_ids), 0)
                while account.last is None or account.last.finish_reason is None:
                    item = await results.get()
                    if isinstance(item, BaseException):
                        account.outcome = "error"
                        raise GenerationFailed("generation failed") from item
                    if account.last is None:
                        account.first_token(self._metrics)
                    account.last = item
                    yield item
                account.outcome = account.last.finish_reason
            finally:
                if generation is not None:
                    generation.cancelled.set()  # the worker drops it before its next step

    async def close(self) -> None:
        if self._worker is not None:
            worker, self._worker = self._worker, None
            await asyncio.to_thread(worker.stop)
