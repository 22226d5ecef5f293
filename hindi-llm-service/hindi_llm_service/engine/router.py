"""One service, several base models: each base has its own engine (and its own slots and queue), and a request
goes to the engine that serves the model it names. Offline, Gemma 3 270M + `storyscape-hi` writes Hindi while
SmolLM2-Instruct writes English, because neither base does both well."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

from hindi_llm_service.engine.base import ChatEngine, GenerationDelta, GenerationRequest, UnknownModel


class ModelRouter:
    """The engines of every served base model behind the ChatEngine interface; the first one is the main base."""

    def __init__(self, engines: Sequence[ChatEngine]) -> None:
        if not engines:
            raise ValueError("at least one engine is needed")
        names = [engine.base_model for engine in engines]
        adapters = [name for engine in engines for name in engine.adapter_names()]
        if len(set(names + adapters)) != len(names) + len(adapters):
            raise ValueError(f"model names must be unique across bases and adapters: {names + adapters}")
        self.engines = list(engines)

    @property
    def base_model(self) -> str:
        return self.engines[0].base_model

    def adapter_names(self) -> list[str]:
        return [name for engine in self.engines for name in engine.adapter_names()]

    def served_models(self) -> dict[str, list[str]]:
        """Each base model's name and the names of its adapters, main base first."""
        return {engine.base_model: engine.adapter_names() for engine in self.engines}

    def resolve(self, model: str) -> tuple[str, str | None] | None:
        """(base, adapter or None) for a model name a client sent; None when nothing here serves it."""
        for base, adapters in self.served_models().items():
            if model == base:
                return base, None
            if model in adapters:
                return base, model
        return None

    def is_ready(self) -> bool:
        return all(engine.is_ready() for engine in self.engines)

    @property
    def tokens_generated(self) -> int:
        return sum(int(getattr(engine, "tokens_generated", 0)) for engine in self.engines)

    @property
    def forward_passes(self) -> int:
        return sum(int(getattr(engine, "forward_passes", 0)) for engine in self.engines)

    async def start(self) -> None:
        for engine in self.engines:  # one at a time: two loads at once only compete for the same cores
            await engine.start()

    def stream(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        return self._engine_for(request).stream(request)

    def _engine_for(self, request: GenerationRequest) -> ChatEngine:
        for engine in self.engines:
            if request.adapter is not None and request.adapter in engine.adapter_names():
                return engine
            if request.adapter is None and request.base_model in ("", engine.base_model):
                return engine
        raise UnknownModel(f"model {request.adapter or request.base_model!r} not found")

    async def close(self) -> None:
        for engine in self.engines:
            await engine.close()
