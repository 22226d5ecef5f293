"""`POST /v1/stories`: stream a new story as Server-Sent Events."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from story_service.api.deps import PromptDep, StoryContextDep
from story_service.reader_settings import reader_settings
from story_service.schemas import ResolvedStoryRequest, StoryOptions
from story_service.service import story_stream
from storyscape_common.contracts.errors import error_responses
from storyscape_common.sse import SSE_HEADERS, SSE_MEDIA_TYPE, with_keepalive

router = APIRouter(prefix="/v1/stories", tags=["stories"])

SSE_DESCRIPTION = """Events, in order: `story.started` {story_id, language, mode, model}; `story.delta` {text} (many;
concatenated they are the story text); `story.completed` {story} (saved in history before it is sent);
or `error` {code, message}, after which the stream ends. A `: ping` comment keeps idle connections open."""


@router.post(
    "",
    summary="Write a story (Prompt-only mode), streamed token by token; missing fields come from the reader's settings",
    description=SSE_DESCRIPTION,
    response_class=StreamingResponse,
    responses={200: {"content": {SSE_MEDIA_TYPE: {}}, "description": "A Server-Sent Events stream"}, **error_responses(401, 422)},
)
async def create_story(body: StoryOptions, ctx: StoryContextDep, prompt: PromptDep) -> StreamingResponse:
    request = ResolvedStoryRequest.resolve(body, await reader_settings(prompt, ctx.identity))
    frames = with_keepalive(story_stream(ctx, request), interval=ctx.settings.ping_interval_seconds)
    return StreamingResponse(frames, media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)
