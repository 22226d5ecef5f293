"""Chat engines behind one interface (engine/base.py), chosen by `Settings.engine`."""

from __future__ import annotations

from hindi_llm_service.engine.base import ChatEngine
from hindi_llm_service.metrics import EngineMetrics
from hindi_llm_service.settings import Settings


def create_engine(settings: Settings, metrics: EngineMetrics) -> ChatEngine:
    """The engine named in settings. Only transformers (CPU) exists so far; a vLLM `AsyncLLM` engine for GPU
    nodes is a later issue: it goes here as a second branch, next to a wider `Settings.engine` Literal."""
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
