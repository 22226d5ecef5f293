"""The story saga: build the prompt, pick a model, stream tokens, save to history, report in-band."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import openai

from story_service.providers import ChatRoute, ModelRouter
from story_service.schemas import ResolvedStoryRequest as StoryRequest
from story_service.schemas import StoryStarted
from story_service.settings import Settings
from story_service.titles import derive_title
from storyscape_common.clients.history import HistoryClient
from storyscape_common.contracts.stories import Story, StoryCreate
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity
from storyscape_common.sse import encode_event
from storyscape_common.story_prompts import max_tokens_for, story_messages

logger = logging.getLogger("story_service.saga")
UNTITLED = {"en": "A new story", "hi": "नई कहानी"}
PROVIDER_ERRORS = (openai.APIError, httpx.HTTPError, asyncio.TimeoutError)


@dataclass
class StoryContext:
    """Everything one story request needs, resolved once per request."""

    settings: Settings
    router: ModelRouter
    history: HistoryClient
    identity: Identity


def error_event(code: str, message: str) -> bytes:
    return encode_event("error", {"code": code, "message": message})


async def first_token(ctx: StoryContext, request: StoryRequest) -> tuple[ChatRoute, AsyncIterator[str], str] | None:
    """Try each route until one produces its first piece; retries and fallbacks end here."""
    messages = story_messages(language=request.language, age_group=request.age_group, genres=request.genres, prompt=request.prompt)
    max_tokens = min(max_tokens_for(language=request.language, age_group=request.age_group), ctx.settings.max_story_tokens)
    for route in ctx.router.routes_for(request.language):
        pieces = route.stream_text(
            messages=messages,
            max_tokens=max_tokens,
            temperature=ctx.settings.temperature,
            top_p=ctx.settings.top_p,
            identity=ctx.identity,
        )
        try:
            while True:
                piece = await asyncio.wait_for(anext(pieces), ctx.settings.first_token_timeout_seconds)
                if piece:
                    return route, pieces, piece
        except StopAsyncIteration:
            logger.warning("model produced no text", extra={"fields": {"route": route.name}})
        except PROVIDER_ERRORS as exc:
            logger.warning("provider failed before first token", extra={"fields": {"route": route.name, "error": type(exc).__name__}})
        await pieces.aclose()  # type: ignore[attr-defined]
    return None


async def save_story(ctx: StoryContext, story: StoryCreate) -> Story:
    """Save with a few retries: the story is only reported complete once history-service holds it."""
    delay = 0.25
    for attempt in range(1, ctx.settings.save_attempts + 1):
        try:
            return await ctx.history.save_story(story, identity=ctx.identity)
        except ApiError as exc:
            if exc.status < 500 or attempt == ctx.settings.save_attempts:
                raise
            logger.warning("saving story failed, retrying", extra={"fields": {"attempt": attempt, "code": exc.code}})
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


async def story_stream(ctx: StoryContext, request: StoryRequest) -> AsyncIterator[bytes]:
    """The SSE frames of one story: started, deltas, completed — or an error event, then the end."""
    story_id = str(uuid.uuid4())
    started = await first_token(ctx, request)
    if started is None:
        yield error_event("upstream_unavailable", "no story model is available right now; please try again")
        return
    route, pieces, piece = started
    yield encode_event(
        "story.started", StoryStarted(story_id=story_id, language=request.language, mode="prompt", model=route.model).model_dump()
    )
    parts = [piece]
    try:
        yield encode_event("story.delta", {"text": piece})
        async for piece in pieces:
            parts.append(piece)
            yield encode_event("story.delta", {"text": piece})
    except PROVIDER_ERRORS as exc:
        logger.warning("provider failed mid-story", extra={"fields": {"route": route.name, "error": type(exc).__name__}})
        yield error_event("upstream_unavailable", "the story model stopped unexpectedly; nothing was saved")
        return
    finally:
        await pieces.aclose()  # type: ignore[attr-defined]

    text = "".join(parts).strip()
    story = StoryCreate(
        id=uuid.UUID(story_id),
        title=derive_title(text) or UNTITLED[request.language],
        text=text,
        language=request.language,
        age_group=request.age_group,
        genres=request.genres,
        mode="prompt",
        prompt=request.prompt,
        model=route.model,
        created_at=datetime.now(UTC),
    )
    try:
        saved = await save_story(ctx, story)
    except ApiError as exc:
        logger.error("story could not be saved", extra={"fields": {"story_id": story_id, "code": exc.code}})
        yield error_event("upstream_unavailable", "the story was written but could not be saved; please try again")
        return
    yield encode_event("story.completed", {"story": saved.model_dump(mode="json")})
