"""Chat engines behind one interface (engine/base.py), chosen by `Settings.engine`, one per served base model."""

from __future__ import annotations

from hindi_llm_service.engine.base import ChatEngine
from hindi_llm_service.engine.router import ModelRouter
from hindi_llm_service.metrics import EngineMetrics
from hindi_llm_service.settings import Settings


def create_engine(settings: Settings, metrics: EngineMetrics) -> ModelRouter:
    """The main base model's engine, and one per extra base model, behind one router."""
    main = create_base_engine(settings, metrics)
    extras = [
        create_base_engine(settings.model_copy(update={"model_path": path, "model_name": path.name, "adapters": {}}), metrics)
        for path in settings.extra_model_paths
    ]
    return ModelRouter([main, *extras])


def create_base_engine(settings: Settings, metrics: EngineMetrics) -> ChatEngine:
    """The engine named in settings for `settings.model_path`; each is imported only when chosen (vLLM lives in
    its own virtualenv)."""
    if settings.engine == "vllm":
        from hindi_llm_service.engine.vllm_engine import VllmEngine

        return VllmEngine(
            model_path=settings.model_path,
            model_name=settings.model_name,
            adapters=settings.adapters,
            max_concurrent=settings.max_concurrent,
            max_queued=settings.max_queued,
            max_lora_rank=settings.vllm_max_lora_rank,
            max_model_len=settings.vllm_max_model_len,
            engine_options={
                "dtype": settings.vllm_dtype,
                "gpu_memory_utilization": settings.vllm_gpu_memory_utilization,
                "max_num_batched_tokens": settings.vllm_max_num_batched_tokens,
            },
            metrics=metrics,
        )
    from hindi_llm_service.engine.transformers_engine import TransformersEngine

    return TransformersEngine(
        model_path=settings.model_path,
        model_name=settings.model_name,
        adapters=settings.adapters,
        max_concurrent=settings.max_concurrent,
        max_queued=settings.max_queued,
        torch_threads=settings.torch_threads,
        metrics=metrics,
    )
