"""From an OpenAI request to engine deltas and back: validation, model routing, chunk and completion shapes."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any

from hindi_llm_service.engine.base import (
    ChatEngine,
    ChatTurn,
    EngineError,
    GenerationDelta,
    GenerationRequest,
)
from hindi_llm_service.engine.router import ModelRouter
from hindi_llm_service.schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    Usage,
)
from hindi_llm_service.settings import Settings
from storyscape_common.errors import ApiError, error_body

DONE_FRAME = b"data: [DONE]\n\n"
Deltas = AsyncGenerator[GenerationDelta, None]


def generation_request(body: ChatCompletionRequest, *, settings: Settings, engine: ModelRouter, user: str) -> GenerationRequest:
    """Check limits and pick a base model or an adapter; 404 for an unknown model, 422 for a bad max_tokens."""
    route = engine.resolve(body.model)
    if route is None:
        raise ApiError(404, "not_found", f"model {body.model!r} not found; see GET /v1/models")
    base_model, adapter = route
    max_tokens = body.max_completion_tokens or body.max_tokens or settings.default_max_tokens
    if max_tokens > settings.max_tokens_limit:
        raise ApiError(422, "invalid_request", f"max_tokens must be between 1 and {settings.max_tokens_limit}")
    return GenerationRequest(
        messages=tuple(ChatTurn(role=m.role, content=m.text()) for m in body.messages),
        adapter=adapter,
        max_tokens=max_tokens,
        temperature=1.0 if body.temperature is None else body.temperature,
        top_p=1.0 if body.top_p is None else body.top_p,
        frequency_penalty=body.frequency_penalty or 0.0,
        presence_penalty=body.presence_penalty or 0.0,
        repetition_penalty=body.repetition_penalty or 1.0,
        stop=body.stop_strings(),
        seed=body.seed,
        user=user,
        base_model=base_model,
    )


def api_error(exc: EngineError) -> ApiError:
    headers = {"Retry-After": "1"} if exc.status == 503 else {}
    return ApiError(exc.status, exc.code, str(exc), headers)


async def accepted_stream(engine: ChatEngine, request: GenerationRequest) -> Deltas:
    """Start generating and wait until the engine accepts, so refusals become HTTP errors, not stream events."""
    deltas = engine.stream(request)
    try:
        await anext(deltas)
    except EngineError as exc:
        await deltas.aclose()
        raise api_error(exc) from exc
    return deltas


def _usage(delta: GenerationDelta) -> dict[str, int]:
    return {
        "prompt_tokens": delta.prompt_tokens,
        "completion_tokens": delta.completion_tokens,
        "total_tokens": delta.prompt_tokens + delta.completion_tokens,
    }


def _frame(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


class ChunkWriter:
    """Shapes `chat.completion.chunk` frames as OpenAI does (one id and `created` for the whole stream)."""

    def __init__(self, *, model: str, include_usage: bool) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model
        self.include_usage = include_usage

    def chunk(self, delta: dict[str, str], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        # OpenAI sends "usage": null on every chunk but the last when usage was asked for.
        return _frame(self._envelope([choice]) | ({"usage": None} if self.include_usage else {}))

    def usage_chunk(self, last: GenerationDelta) -> bytes:
        return _frame(self._envelope([]) | {"usage": _usage(last)})

    def _envelope(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": None,
            "choices": choices,
        }


async def completion_chunks(deltas: Deltas, writer: ChunkWriter) -> AsyncIterator[bytes]:
    """SSE frames for an accepted generation; a failure after the first frame is reported in-band, then [DONE]."""
    async with aclosing(deltas):
        yield writer.chunk({"role": "assistant", "content": ""})
        try:
            async for delta in deltas:
                if delta.text:
                    yield writer.chunk({"content": delta.text})
                if delta.finish_reason is not None:
                    yield writer.chunk({}, delta.finish_reason)
                    if writer.include_usage:
                        yield writer.usage_chunk(delta)
        except EngineError as exc:
            yield _frame(error_body(exc.code, str(exc)))
        yield DONE_FRAME


async def whole_completion(deltas: Deltas, *, model: str) -> ChatCompletion:
    """Collect an accepted generation into one `chat.completion`."""
    parts: list[str] = []
    async with aclosing(deltas):
        try:
            async for delta in deltas:
                parts.append(delta.text)
                if delta.finish_reason is not None:
                    message = AssistantMessage(content="".join(parts))
                    choice = Choice(message=message, finish_reason=delta.finish_reason)
                    return ChatCompletion(
                        id=f"chatcmpl-{uuid.uuid4().hex}",
                        created=int(time.time()),
                        model=model,
                        choices=[choice],
                        usage=Usage(**_usage(delta)),
                    )
        except EngineError as exc:
            raise api_error(exc) from exc
    raise ApiError(502, "upstream_unavailable", "generation ended without finishing")
