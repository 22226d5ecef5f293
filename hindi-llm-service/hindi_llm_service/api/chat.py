"""POST /v1/chat/completions: OpenAI-compatible, streamed (SSE) or whole."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hindi_llm_service.api.deps import Engine, ServiceSettings
from hindi_llm_service.api.streaming import (
    ClientGone,
    EventStreamResponse,
    unless_disconnected,
)
from hindi_llm_service.schemas import ChatCompletion, ChatCompletionRequest
from hindi_llm_service.service import (
    ChunkWriter,
    accepted_stream,
    completion_chunks,
    generation_request,
    whole_completion,
)
from storyscape_common.contracts.errors import error_responses
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1", tags=["chat"])
CLIENT_CLOSED_REQUEST = 499


@router.post(
    "/chat/completions",
    summary="Create a chat completion (OpenAI protocol)",
    response_model=ChatCompletion,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "chat.completion, or SSE chunks if stream"},
        **error_responses(404, 502, 503),
    },
)
async def create_chat_completion(
    body: ChatCompletionRequest,
    request: Request,
    engine: Engine,
    settings: ServiceSettings,
    identity: CurrentIdentity,
) -> Response | ChatCompletion:
    """`model` names the base model or a LoRA adapter from GET /v1/models; closing the connection stops generation."""
    generation = generation_request(body, settings=settings, engine=engine, user=identity.user_id)
    deltas = await accepted_stream(engine, generation)
    if body.stream:
        writer = ChunkWriter(model=body.model, include_usage=body.include_usage)
        return EventStreamResponse(completion_chunks(deltas, writer))
    try:
        return await unless_disconnected(request, whole_completion(deltas, model=body.model))
    except ClientGone:
        return Response(status_code=CLIENT_CLOSED_REQUEST)
