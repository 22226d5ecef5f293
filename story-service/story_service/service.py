"""The story saga: build the prompt, pick a model, stream tokens, make the story durable, report in-band.

Everything that can fail before the first token fails as a real HTTP status (`begin_story` raises ApiError);
after it, failures are `error` events.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import unicodedata
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AsyncExitStack, aclosing
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import openai

from story_service.idempotency import IdempotencyKeys
from story_service.illustrations import illustration_frames
from story_service.moderation import (
    ContentBlocked,
    Regenerations,
    blocked_event,
    check_prompt,
    check_story,
    checked_pieces,
    restarted_event,
)
from story_service.outbox import Outbox, local_story
from story_service.photo import messages_for, with_source_image
from story_service.providers import ChatRoute, ModelRouter
from story_service.schemas import ResolvedStoryRequest as StoryRequest
from story_service.schemas import StoryStarted
from story_service.settings import Settings
from story_service.titles import derive_title
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.stories import Story, StoryCreate
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity
from storyscape_common.sse import encode_event
from storyscape_common.story_prompts import max_tokens_for
from storyscape_safety import Moderator

logger = logging.getLogger("story_service.saga")
UNTITLED = {"en": "A new story", "hi": "नई कहानी"}
PROVIDER_ERRORS = (openai.APIError, httpx.HTTPError, asyncio.TimeoutError)
DEFAULT_RETRY_AFTER = "5"


@dataclass
class StoryContext:
    """Everything one story request needs, resolved once per request."""

    settings: Settings
    router: ModelRouter
    outbox: Outbox
    idempotency: IdempotencyKeys
    identity: Identity
    moderator: Moderator
    regenerations: Regenerations
    media: MediaClient | None = None


@dataclass(frozen=True)
class Generation:
    """What a model is asked for this story: the messages and the token budget (the same for a regeneration)."""

    messages: list[dict[str, str]]
    max_tokens: int


@dataclass
class StartedStory:
    """A story whose first piece of text exists: the stream can begin."""

    story_id: str
    route: ChatRoute
    generation: Generation
    pieces: AsyncGenerator[str, None]
    first_piece: str


class EmptyAnswer(Exception):
    """The model ended its answer without any text."""


MID_STORY_ERRORS = (*PROVIDER_ERRORS, EmptyAnswer)


def error_event(code: str, message: str) -> bytes:
    return encode_event("error", {"code": code, "message": message})


def unavailable(errors: list[BaseException]) -> ApiError:
    """The HTTP error for "no route produced a first token", shaped by what went wrong."""
    for exc in errors:
        if isinstance(exc, openai.APIStatusError) and exc.status_code in (429, 503):
            retry_after = exc.response.headers.get("retry-after", DEFAULT_RETRY_AFTER)
            return ApiError(503, "upstream_unavailable", "the story model is busy; please retry", {"Retry-After": retry_after})
    if errors and all(isinstance(exc, asyncio.TimeoutError | openai.APITimeoutError) for exc in errors):
        return ApiError(504, "upstream_timeout", "the story model did not start in time; please retry")
    if any(isinstance(exc, openai.APIStatusError) for exc in errors):
        return ApiError(502, "upstream_unavailable", "the story model failed; please retry", {"Retry-After": DEFAULT_RETRY_AFTER})
    return ApiError(
        503, "upstream_unavailable", "no story model is available right now; please retry", {"Retry-After": DEFAULT_RETRY_AFTER}
    )


def generation_for(ctx: StoryContext, request: StoryRequest) -> Generation:
    per_word = ctx.settings.hindi_tokens_per_word if request.language == "hi" else None
    budget = max_tokens_for(language=request.language, age_group=request.age_group, tokens_per_word=per_word)
    return Generation(messages_for(request), min(budget, ctx.settings.max_story_tokens))


async def first_piece(
    ctx: StoryContext, route: ChatRoute, generation: Generation, *, seed: int | None = None
) -> tuple[str, AsyncGenerator[str, None]]:
    """The route's first piece of text and the rest of its stream; on EmptyAnswer or a provider error it is closed."""
    pieces = route.stream_text(
        messages=generation.messages,
        max_tokens=generation.max_tokens,
        temperature=ctx.settings.temperature,
        top_p=ctx.settings.top_p,
        identity=ctx.identity,
        seed=seed,
    )
    try:
        while True:
            piece = await asyncio.wait_for(anext(pieces), ctx.settings.first_token_timeout_seconds)
            if piece:
                return piece, pieces
    except StopAsyncIteration:
        await pieces.aclose()
        raise EmptyAnswer("empty answer") from None
    except PROVIDER_ERRORS:
        await pieces.aclose()
        raise


async def begin_story(ctx: StoryContext, request: StoryRequest) -> StartedStory:
    """Try each route until one produces its first piece; retries and fallbacks end here."""
    await check_prompt(ctx.moderator, request.prompt, language=request.language)
    generation = generation_for(ctx, request)
    errors: list[BaseException] = []
    for route in ctx.router.routes_for(request.language):
        try:
            piece, pieces = await first_piece(ctx, route, generation)
            return StartedStory(str(uuid.uuid4()), route, generation, pieces, piece)
        except EmptyAnswer as exc:
            logger.warning("model produced no text", extra={"fields": {"route": route.name}})
            errors.append(exc)
        except PROVIDER_ERRORS as exc:
            logger.warning("provider failed before first token", extra={"fields": {"route": route.name, "error": type(exc).__name__}})
            errors.append(exc)
    raise unavailable(errors)


def started_event(story_id: str, request: StoryRequest, model: str) -> bytes:
    started = StoryStarted(story_id=story_id, language=request.language, mode=request.mode, model=model)
    return encode_event("story.started", started.model_dump())


def finished_story(story_id: str, text: str, request: StoryRequest, model: str) -> StoryCreate:
    return StoryCreate(
        id=uuid.UUID(story_id),
        title=derive_title(text) or UNTITLED[request.language],
        text=text,
        language=request.language,
        age_group=request.age_group,
        genres=request.genres,
        mode=request.mode,
        prompt=request.prompt,
        model=model,
        image_description=request.image_description,
        source_image_key=request.source_image_key,
        created_at=datetime.now(UTC),
    )


async def make_durable(ctx: StoryContext, story: StoryCreate, idempotency_key: str | None) -> Story:
    """Outbox row first (so the story survives whatever follows), then history-service, then the key."""
    saved = await ctx.outbox.complete(story, identity=ctx.identity)
    if idempotency_key is not None:
        await ctx.idempotency.complete(user_id=ctx.identity.user_id, key=idempotency_key, story_id=str(story.id))
    return saved


async def attempt_frames(
    ctx: StoryContext, request: StoryRequest, first: str, pieces: AsyncGenerator[str, None], parts: list[str]
) -> AsyncGenerator[bytes, None]:
    """One generation's checked deltas (each kept in `parts`), then the whole-story check; ContentBlocked ends it."""
    try:
        async for checked in checked_pieces(ctx.moderator, first, pieces, language=request.language):
            # NFC, as history stores it: the text a reader watched arrive is the text they find saved.
            piece = unicodedata.normalize("NFC", checked)
            parts.append(piece)
            yield encode_event("story.delta", {"text": piece})
    finally:
        await pieces.aclose()
    await check_story(ctx.moderator, "".join(parts), language=request.language)


async def regenerated_frames(
    ctx: StoryContext, request: StoryRequest, started: StartedStory, parts: list[str]
) -> AsyncGenerator[bytes, None]:
    """One more attempt on the same route with a new seed, its outcome counted; a second block raises ContentBlocked."""
    try:
        piece, pieces = await first_piece(ctx, started.route, started.generation, seed=secrets.randbelow(2**31))
        async with aclosing(attempt_frames(ctx, request, piece, pieces, parts)) as frames:
            async for frame in frames:
                yield frame
    except ContentBlocked:
        ctx.regenerations.record(story_id=started.story_id, outcome="blocked")
        raise
    except MID_STORY_ERRORS:
        ctx.regenerations.record(story_id=started.story_id, outcome="failed")
        raise
    ctx.regenerations.record(story_id=started.story_id, outcome="recovered")


async def text_frames(ctx: StoryContext, request: StoryRequest, started: StartedStory, parts: list[str]) -> AsyncGenerator[bytes, None]:
    """The story's deltas. The prompt passed moderation, so a story blocked on the way (mid-stream or as a whole)
    is written once more, after `story.restarted` tells the client to discard what it showed; `parts` holds only
    the text of the attempt that finished."""
    try:
        async with aclosing(attempt_frames(ctx, request, started.first_piece, started.pieces, parts)) as frames:
            async for frame in frames:
                yield frame
        return
    except ContentBlocked:
        logger.info("story blocked; writing it again", extra={"fields": {"story_id": started.story_id}})
    parts.clear()
    yield restarted_event()
    async with aclosing(regenerated_frames(ctx, request, started, parts)) as frames:
        async for frame in frames:
            yield frame


async def story_frames(
    ctx: StoryContext, request: StoryRequest, started: StartedStory, *, idempotency_key: str | None = None
) -> AsyncIterator[bytes]:
    """The SSE frames of a started story: started, deltas, completed — or an error event, then the end."""
    handed_over = False
    parts: list[str] = []
    lease = AsyncExitStack()  # the Idempotency-Key's lease, renewed while the story is being written
    try:
        if idempotency_key is not None:
            await lease.enter_async_context(ctx.idempotency.held(user_id=ctx.identity.user_id, key=idempotency_key))
        yield started_event(started.story_id, request, started.route.model)
        try:
            async with aclosing(text_frames(ctx, request, started, parts)) as frames:
                async for frame in frames:
                    yield frame
        except ContentBlocked:
            yield blocked_event(request.language)  # nothing is saved
            return
        except MID_STORY_ERRORS as exc:
            logger.warning("provider failed mid-story", extra={"fields": {"route": started.route.name, "error": type(exc).__name__}})
            yield error_event("upstream_unavailable", "the story model stopped unexpectedly; nothing was saved")
            return
        story = finished_story(started.story_id, "".join(parts).strip(), request, started.route.model)
        # Generation is over: a client leaving now must not lose the story, so the save is shielded.
        handed_over = True
        await lease.aclose()
        try:
            saved = await asyncio.shield(make_durable(ctx, story, idempotency_key))
        except Exception as exc:  # noqa: BLE001 - any failure to make it durable is reported in-band (after which the key is kept)
            logger.error("story could not be recorded", extra={"fields": {"story_id": started.story_id, "error": type(exc).__name__}})
            yield error_event("upstream_unavailable", "the story was written but could not be saved; please try again")
            return
        yield encode_event("story.completed", {"story": with_source_image(saved, request).model_dump(mode="json")})
        deadline = ctx.settings.illustration_deadline_seconds
        async for frame in illustration_frames(ctx.media, saved, request, identity=ctx.identity, deadline_s=deadline):
            yield frame
    finally:
        await lease.aclose()
        await started.pieces.aclose()  # a no-op once the first attempt ended; stops the model if the client left before it
        if idempotency_key is not None and not handed_over:
            await asyncio.shield(ctx.idempotency.abandon(user_id=ctx.identity.user_id, key=idempotency_key))


async def replay_frames(story: StoryCreate) -> AsyncIterator[bytes]:
    """An Idempotency-Key repeat after completion: the same story, without calling a model."""
    started = StoryStarted(story_id=str(story.id), language=story.language, mode=story.mode, model=story.model)
    yield encode_event("story.started", started.model_dump())
    yield encode_event("story.delta", {"text": story.text})
    yield encode_event("story.completed", {"story": local_story(story, now=datetime.now(UTC)).model_dump(mode="json")})
