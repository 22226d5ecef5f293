"""`POST /v1/stories`: stream a new story as Server-Sent Events."""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from story_service.api.deps import PromptDep, StoryContextDep
from story_service.idempotency import body_hash, valid_key
from story_service.moderation import check_prompt
from story_service.photo import MediaDep, StoryInput, StoryInputDep, with_photo
from story_service.reader_settings import reader_settings, story_genres
from story_service.schemas import ResolvedStoryRequest, StoryOptions
from story_service.service import begin_story, replay_frames, story_frames
from storyscape_common.contracts.errors import error_responses
from storyscape_common.sse import SSE_HEADERS, SSE_MEDIA_TYPE, with_keepalive

REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": StoryOptions.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["prompt", "image"],
                "properties": {
                    **StoryOptions.model_json_schema()["properties"],
                    "image": {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP, at most 10 MiB"},
                },
            }
        },
    },
}


def request_digest(body: StoryInput) -> str:
    """What an Idempotency-Key is bound to: the options and, in Image & Prompt mode, the photo's bytes."""
    options = body.options.model_dump(mode="json")
    if body.photo is not None:
        options["image_sha256"] = hashlib.sha256(body.photo).hexdigest()
    return body_hash(options)


router = APIRouter(prefix="/v1/stories", tags=["stories"])

SSE_DESCRIPTION = """Events, in order: `story.started` {story_id, language, mode, model}; `story.delta` {text} (many;
concatenated they are the story text); at most once `story.restarted` {reason: "content_blocked"}: the text so far
was refused by moderation and is discarded, the deltas that follow are the whole story, written again;
`story.completed` {story} (durable before it is sent, in history within seconds); or `error` {code, message},
after which the stream ends. A `: ping` comment keeps idle connections open.

Response headers are sent with the first event: anything that fails before it is a plain HTTP error (503 with
`Retry-After` when no model can start, 502, 504, 422). `genres` are built-in genre ids and the reader's own custom
genre ids (anything else is 422 naming `genres`). `Idempotency-Key` (1..200 visible ASCII characters,
kept 24 h per reader): a repeat while the first is still being written is 409 with `Retry-After`; after it
completed, the same story is replayed (started, one delta with the whole text, completed) without a model;
the same key with a different body is 422."""


@router.post(
    "",
    summary="Write a story (Prompt-only, or Image & Prompt with a photo), streamed token by token; missing fields from settings",
    description=SSE_DESCRIPTION,
    response_class=StreamingResponse,
    openapi_extra={"requestBody": REQUEST_BODY},
    responses={
        200: {"content": {SSE_MEDIA_TYPE: {}}, "description": "A Server-Sent Events stream"},
        **error_responses(409, 413, 415, 422, 502, 503, 504),
    },
)
async def create_story(
    body: StoryInputDep,
    ctx: StoryContextDep,
    prompt: PromptDep,
    media: MediaDep,
    idempotency_key: Annotated[str | None, Header(description="Makes a retry return the same story")] = None,
) -> StreamingResponse:
    if idempotency_key is not None:
        idempotency_key = valid_key(idempotency_key)
        replay = await ctx.idempotency.begin(user_id=ctx.identity.user_id, key=idempotency_key, digest=request_digest(body))
        if replay is not None:
            return StreamingResponse(replay_frames(replay.story), media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)
    # The key's lease is renewed while this request works towards its first token (routes, photo: minutes at worst).
    holding = ctx.idempotency.held(user_id=ctx.identity.user_id, key=idempotency_key) if idempotency_key is not None else nullcontext()
    try:
        async with holding:
            settings = await reader_settings(prompt, ctx.identity)
            genres = None if body.options.genres is None else await story_genres(prompt, ctx.identity, body.options.genres)
            request = ResolvedStoryRequest.resolve(body.options, settings, genres=genres)
            if body.photo is not None:  # checked, moderated, stored and described by media-service
                await check_prompt(ctx.moderator, request.prompt, language=request.language)  # before the photo is stored
                request = await with_photo(request, body.photo, media, ctx.identity)
            started = await begin_story(ctx, request)
    except BaseException:
        if idempotency_key is not None:
            await ctx.idempotency.abandon(user_id=ctx.identity.user_id, key=idempotency_key)
        raise
    frames = with_keepalive(
        story_frames(ctx, request, started, idempotency_key=idempotency_key), interval=ctx.settings.ping_interval_seconds
    )
    return StreamingResponse(frames, media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)
