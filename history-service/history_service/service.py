"""Rules for saving, listing, reading and deleting a user's stories."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from history_service import tombstones
from history_service.grouping import group_in_order, group_key, group_label
from history_service.media import PhotoKeeper
from history_service.media_outbox import record_deletion
from history_service.models import StoryRow
from history_service.repository import StoryRepository
from history_service.schemas import MAX_QUERY_CHARS, ClearResult, FavoriteList, Mode, SearchPage, Story, StoryCreate, StoryGroup, StoryPage
from history_service.search_terms import words
from storyscape_common.catalog import AgeGroup, Language
from storyscape_common.contracts.home import RECENT_STORIES, HistoryHome, StorySummary
from storyscape_common.cursor import Cursor, decode_cursor, encode_cursor
from storyscape_common.errors import ApiError, not_found

FUTURE_TOLERANCE = timedelta(minutes=5)
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")


def resolve_timezone(name: str | None, *, default: str) -> ZoneInfo:
    """The reader's IANA zone, or the default; an unknown name is the client's mistake (400)."""
    name = (name or "").strip() or default
    try:
        if len(name) > 64 or not _ZONE_NAME.match(name):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ApiError(400, "invalid_request", "X-User-Timezone must be an IANA time zone such as Asia/Kolkata") from None


def story_from_row(row: StoryRow) -> Story:
    story = Story(
        id=row.id,
        title=row.title,
        text=row.text,
        language=cast(Language, row.language),
        age_group=cast(AgeGroup, row.age_group),
        genres=list(row.genres),
        mode=cast(Mode, row.mode),
        prompt=row.prompt,
        images=[],
        audio=None,
        image_description=row.image_description,
        favorite=row.favorite,
        created_at=row.created_at,
        model=row.model,
    )
    story._source_image_key = row.source_image_key  # signed into `source_image` by MediaReader on the way out
    return story


def _row_from_create(*, user_id: str, story: StoryCreate, now: datetime) -> StoryRow:
    return StoryRow(
        id=str(story.id),
        user_id=user_id,
        title=story.title,
        text=story.text,
        language=story.language,
        age_group=story.age_group,
        genres=story.genres,
        mode=story.mode,
        prompt=story.prompt,
        model=story.model,
        image_description=story.image_description,
        source_image_key=story.source_image_key,
        favorite=False,
        created_at=story.created_at or now,
    )


def _existing_or_conflict(row: StoryRow, *, user_id: str) -> Story:
    if row.user_id != user_id:
        raise ApiError(409, "conflict", "a story with this id already exists")
    return story_from_row(row)


async def save_story(
    *, session: AsyncSession, user_id: str, story: StoryCreate, now: datetime, keep_photo: PhotoKeeper | None = None
) -> tuple[Story, bool]:
    """Store a finished story for `user_id`; returns (story, created). A retry returns the stored story.

    A photo story's upload is claimed at media-service (`keep_photo`) before the insert, so a saved story's photo
    is never swept as abandoned and is deleted with the story. A story the reader deleted is not saved again (410)."""
    if story.created_at is not None and story.created_at > now + FUTURE_TOLERANCE:
        raise ApiError(422, "invalid_request", "created_at: must not be in the future")
    if await tombstones.is_deleted(session, user_id=user_id, story_id=str(story.id)):
        raise tombstones.story_deleted()
    repository = StoryRepository(session)
    existing = await repository.get_any_owner(str(story.id))
    if existing is not None:
        return _existing_or_conflict(existing, user_id=user_id), False
    if story.source_image_key and keep_photo is not None:
        await keep_photo(str(story.id), story.source_image_key)
    row = _row_from_create(user_id=user_id, story=story, now=now)
    try:
        await repository.add(row)
        # Commit here, not in the session dependency: a concurrent retry's duplicate id only surfaces at commit.
        await session.commit()
    except IntegrityError:
        # A concurrent retry of the same story won the insert.
        await session.rollback()
        existing = await repository.get_any_owner(str(story.id))
        if existing is None:
            raise
        return _existing_or_conflict(existing, user_id=user_id), False
    return story_from_row(row), True


async def list_stories(*, session: AsyncSession, user_id: str, cursor: str | None, limit: int, tz: ZoneInfo, now: datetime) -> StoryPage:
    """One page, newest first, grouped by day in `tz`; `next_cursor` is null on the last page."""
    after = decode_cursor(cursor) if cursor else None
    rows = await StoryRepository(session).newest_first(user_id=user_id, after=after, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    stories = [story_from_row(row) for row in page]
    groups = [
        StoryGroup(key=key, label=group_label(key), stories=members)
        for key, members in group_in_order(stories, key_of=lambda s: group_key(s.created_at, now=now, tz=tz))
    ]
    next_cursor = encode_cursor(Cursor(created_at=page[-1].created_at, id=page[-1].id)) if more else None
    return StoryPage(groups=groups, next_cursor=next_cursor)


def _canonical_id(story_id: str) -> str:
    try:
        return str(uuid.UUID(story_id))
    except ValueError:
        raise not_found("story") from None


async def get_story(*, session: AsyncSession, user_id: str, story_id: str) -> Story:
    """The user's own story; someone else's is indistinguishable from a missing one (404)."""
    row = await StoryRepository(session).get_for_user(user_id=user_id, story_id=_canonical_id(story_id))
    if row is None:
        raise not_found("story")
    return story_from_row(row)


async def delete_story(*, session: AsyncSession, user_id: str, story_id: str, now: datetime) -> None:
    story_id = _canonical_id(story_id)
    deleted = await StoryRepository(session).delete_for_user(user_id=user_id, story_id=story_id)
    await tombstones.record(session, user_id=user_id, story_id=story_id, now=now)
    if not deleted:
        # Not here, or not yet: story-service's outbox may still be delivering it, and the reader wants it gone.
        await session.commit()
        raise not_found("story")
    # Its pictures and voice go too, in the same transaction as the delete (sent to media-service by a worker).
    record_deletion(session, user_id=user_id, story_ids=[story_id], now=now)


def query_words(q: str) -> list[str]:
    """The words to search for, rarest-looking (longest) first; 422 for an empty, overlong or wordless query."""
    q = q.strip()
    if not q:
        raise ApiError(422, "invalid_request", "q: give at least one word to search for")
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError(422, "invalid_request", f"q: at most {MAX_QUERY_CHARS} characters")
    found = list(dict.fromkeys(words(q)))
    if not found:
        raise ApiError(422, "invalid_request", "q: give at least one word to search for")
    return sorted(found, key=len, reverse=True)


async def search_stories(*, session: AsyncSession, user_id: str, q: str, cursor: str | None, limit: int) -> SearchPage:
    """The user's stories whose title, text or prompt hold every word of `q`, newest first."""
    terms = query_words(q)
    after = decode_cursor(cursor) if cursor else None
    rows = await StoryRepository(session).search(user_id=user_id, terms=terms, after=after, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(Cursor(created_at=page[-1].created_at, id=page[-1].id)) if more else None
    return SearchPage(stories=[story_from_row(row) for row in page], next_cursor=next_cursor)


async def set_favorite(*, session: AsyncSession, user_id: str, story_id: str, favorite: bool) -> Story:
    """Idempotent: marking a favorite twice is the same as once; another user's story is a 404."""
    row = await StoryRepository(session).set_favorite(user_id=user_id, story_id=_canonical_id(story_id), favorite=favorite)
    if row is None:
        raise not_found("story")
    return story_from_row(row)


async def favorites_version(*, session: AsyncSession, user_id: str) -> str:
    """A strong ETag for the user's favorites: it changes whenever the set or a favorite story changes."""
    version = await StoryRepository(session).favorites_version(user_id=user_id)
    return f'"favorites-{version}"'


async def favorite_list(*, session: AsyncSession, user_id: str) -> FavoriteList:
    rows = await StoryRepository(session).favorites(user_id=user_id)
    return FavoriteList(stories=[story_from_row(row) for row in rows], count=len(rows))


async def favorites_count(*, session: AsyncSession, user_id: str) -> int:
    return await StoryRepository(session).favorites_count(user_id=user_id)


async def home(*, session: AsyncSession, user_id: str) -> HistoryHome:
    """The home screen's part: the newest stories without their text, and how many favorites the reader keeps."""
    repository = StoryRepository(session)
    rows = await repository.newest_first(user_id=user_id, after=None, limit=RECENT_STORIES)
    recent = [StorySummary.of(story_from_row(row)) for row in rows]
    return HistoryHome(recent_stories=recent, favorites_count=await repository.favorites_count(user_id=user_id))


async def clear_history(*, session: AsyncSession, user_id: str, include_favorites: bool, now: datetime) -> ClearResult:
    repository = StoryRepository(session)
    # With favorites, everything of the user's goes (also media of stories never delivered here).
    story_ids = None if include_favorites else await repository.clearable_ids(user_id=user_id)
    await tombstones.record_cleared(session, user_id=user_id, include_favorites=include_favorites, now=now)
    deleted, _ = await repository.clear(user_id=user_id, include_favorites=include_favorites)
    if story_ids is None or story_ids:
        record_deletion(session, user_id=user_id, story_ids=story_ids, now=now)
    return ClearResult(deleted=deleted, kept_favorites=not include_favorites)
