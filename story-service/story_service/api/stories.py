"""`POST /v1/stories`: stream a new story as Server-Sent Events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from story_service.api.deps import PromptDep, StoryContextDep
from story_service.idempotency import body_hash, valid_key
from story_service.reader_settings import reader_settings
from story_service.schemas import ResolvedStoryRequest, StoryOptions
from story_service.service import begin_story, replay_frames, story_frames
from storyscape_common.contracts.errors import error_responses
from storyscape_common.sse import SSE_HEADERS, SSE_MEDIA_TYPE, with_keepalive

router = APIRouter(prefix="/v1/stories", tags=["stories"])

SSE_DESCRIPTION = """Events, in order: `story.started` {story_id, language, mode, model}; `story.delta` {text} (many;
concatenated they are the story text); `story.completed` {story} (durable before it is sent, in history within
seconds); or `error` {code, message}, after which the stream ends. A `: ping` comment keeps idle connections open.

Response headers are sent with the first event: anything that fails before it is a plain HTTP error (503 with
`Retry-After` when no model can start, 502, 504, 422). `Idempotency-Key` (1..200 visible ASCII characters,
kept 24 h per reader): a repeat while the first is still being written is 409 with `Retry-After`; after it
completed, the same story is replayed (started, one delta with the whole text, completed) without a model;
the same key with a different body is 422."""


@router.post(
    "",
    summary="Write a story (Prompt-only mode), streamed token by token; missing fields come from the reader's settings",
    description=SSE_DESCRIPTION,
    response_class=StreamingResponse,
    responses={200: {"content": {SSE_MEDIA_TYPE: {}}, "description": "A Server-Sent Events stream"}, **error_responses(409, 502, 503, 504)},
)
async def create_story(
    body: StoryOptions,
    ctx: StoryContextDep,
    prompt: PromptDep,
    idempotency_key: Annotated[str | None, Header(description="Makes a retry return the same story")] = None,
) -> StreamingResponse:
    if idempotency_key is not None:
        idempotency_key = valid_key(idempotency_key)
        replay = await ctx.idempotency.begin(
            user_id=ctx.identity.user_id, key=idempotency_key, digest=body_hash(body.model_dump(mode="json"))
        )
        if replay is not None:
            return StreamingResponse(replay_frames(replay.story), media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)
    request = ResolvedStoryRequest.resolve(body, await reader_settings(prompt, ctx.identity))
    try:
        started = await begin_story(ctx, request)
    except BaseException:
        if idempotency_key is not None:
            await ctx.idempotency.abandon(user_id=ctx.identity.user_id, key=idempotency_key)
        raise
    frames = with_keepalive(
        story_frames(ctx, request, started, idempotency_key=idempotency_key), interval=ctx.settings.ping_interval_seconds
    )
    return StreamingResponse(frames, media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)
