"""What every chat engine offers the API: streamed generation, model listing, readiness, shutdown."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Literal, Protocol

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True)
class ChatTurn:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    """One chat completion to generate; `adapter` None means the base model (`base_model`, or the main one when
    empty); `user` is whom it is for (fair queueing)."""

    messages: tuple[ChatTurn, ...]
    adapter: str | None
    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    frequency_penalty: float = 0.0  # OpenAI's: minus this times a token's count in the completion so far
    presence_penalty: float = 0.0  # minus this once a token has appeared in the completion
    repetition_penalty: float = 1.0  # vLLM's and transformers': a seen token's logit divided by it (>1: less likely)
    stop: tuple[str, ...] = ()
    seed: int | None = None
    user: str = ""
    base_model: str = ""


@dataclass(frozen=True)
class GenerationDelta:
    """New text since the previous delta; the last one carries `finish_reason`. Counts are running totals."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: FinishReason | None = None


class EngineError(Exception):
    """A request the engine cannot serve; `status` and `code` say how the API reports it."""

    status = 500
    code = "internal_error"


class EngineNotReady(EngineError):
    status, code = 503, "upstream_unavailable"


class EngineBusy(EngineError):
    status, code = 503, "upstream_unavailable"


class UnknownModel(EngineError):
    status, code = 404, "not_found"


class PromptTooLong(EngineError):
    status, code = 400, "invalid_request"


class ChatEngine(Protocol):
    """The generation backend. `stream` first yields an empty delta once the request is accepted (so errors
    such as EngineBusy surface before a response starts), then text deltas; closing the iterator cancels it."""

    @property
    def base_model(self) -> str: ...

    def adapter_names(self) -> list[str]: ...

    def is_ready(self) -> bool: ...

    async def start(self) -> None:
        """Load the model; the service is ready once this returns."""

    def stream(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]: ...

    async def close(self) -> None: ...
