"""Prometheus metrics for generation, registered on the service's registry next to the HTTP metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class EngineMetrics:
    """Tokens produced, requests waiting or running, time to first token, and how generations ended."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.generated_tokens = Counter("llm_generated_tokens_total", "Tokens generated", registry=registry)
        self.requests_in_engine = Gauge("llm_requests_in_engine", "Requests queued or generating", registry=registry)
        self.time_to_first_token = Histogram(
            "llm_time_to_first_token_seconds",
            "From acceptance to the first generated token",
            registry=registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        # vLLM only: requests its scheduler still holds (shows an abort reached the engine); 0 for the CPU engine.
        self.engine_requests_running = Gauge("llm_engine_requests_unfinished", "Requests the engine itself still tracks", registry=registry)
        self.finished = Counter("llm_requests_finished_total", "Generations by how they ended", ["outcome"], registry=registry)
