"""The rules for what a reader keeps: settings, custom genres and saved prompts."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from datetime import datetime
from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from prompt_service.models import GenreRow, SavedPromptRow, SettingsRow
from prompt_service.repository import LibraryRepository
from prompt_service.schemas import (
    CustomGenre,
    CustomGenreNames,
    GenreCreate,
    GenreList,
    GenreUpdate,
    ResolvedSettings,
    SavedPrompt,
    SavedPromptCreate,
    SavedPromptPage,
    SettingsUpdate,
    UserSettings,
)
from prompt_service.service import build_catalog
from storyscape_common.catalog import GENRES_BY_ID, Language
from storyscape_common.cursor import Cursor, decode_cursor, encode_cursor
from storyscape_common.errors import ApiError, not_found
from storyscape_safety import Moderator, raise_if_blocked

MAX_CUSTOM_GENRES = 50
MAX_SAVED_PROMPTS = 500
CUSTOM_GENRE_PREFIX = "custom-"


def name_key(name: str) -> str:
    """How two genre names are compared: NFC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def text_key(text: str) -> str:
    """A saved prompt's identity: its normalised text, hashed (prompts may be 2000 characters)."""
    normalised = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).casefold()).strip()
    return hashlib.sha256(normalised.encode()).hexdigest()


def settings_from_row(row: SettingsRow | None) -> UserSettings:
    if row is None:
        return UserSettings()
    return UserSettings.model_validate(row, from_attributes=True)


async def get_settings(*, session: AsyncSession, user_id: str) -> UserSettings:
    return settings_from_row(await LibraryRepository(session).settings(user_id=user_id))


async def resolved_settings(*, session: AsyncSession, user_id: str) -> ResolvedSettings:
    """Settings with custom genre ids replaced by the names a story prompt uses."""
    repository = LibraryRepository(session)
    current = settings_from_row(await repository.settings(user_id=user_id))
    # Most readers keep only built-in genres: then there is nothing to resolve (one query fewer on every read).
    custom = any(genre.startswith(CUSTOM_GENRE_PREFIX) for genre in current.genres)
    names = {genre.id: genre.name for genre in await repository.genres(user_id=user_id)} if custom else {}
    genre_names = [names.get(genre, genre) for genre in current.genres if genre in GENRES_BY_ID or genre in names]
    return ResolvedSettings(**current.model_dump(), genre_names=genre_names)


async def update_settings(*, session: AsyncSession, user_id: str, update: SettingsUpdate, now: datetime) -> UserSettings:
    """Apply the given fields over the current settings; every genre must exist for this reader (422 otherwise)."""
    repository = LibraryRepository(session)
    current = settings_from_row(await repository.settings(user_id=user_id))
    merged = current.model_copy(update=update.model_dump(exclude_none=True))
    if update.genres is not None:
        custom = {genre.id for genre in await repository.genres(user_id=user_id)}
        unknown = [genre for genre in update.genres if genre not in GENRES_BY_ID and genre not in custom]
        if unknown:
            raise ApiError(422, "invalid_request", f"genres: unknown genre {unknown[0]!r}; use a built-in id or one of your genres")
    row = SettingsRow(user_id=user_id, updated_at=now, **UserSettings.model_validate(merged.model_dump()).model_dump())
    await repository.save_settings(row)
    return settings_from_row(row)


def custom_genre(row: GenreRow) -> CustomGenre:
    return CustomGenre(id=row.id, name=row.name, label=row.label, created_at=row.created_at)


async def list_genres(*, session: AsyncSession, user_id: str) -> GenreList:
    rows = await LibraryRepository(session).genres(user_id=user_id)
    return GenreList(built_in=build_catalog().genres, custom=[custom_genre(row) for row in rows])


def _built_in_name(key: str) -> bool:
    return any(key in (name_key(g.id), name_key(g.label_en), name_key(g.label_hi)) for g in GENRES_BY_ID.values())


async def _check_genre_words(
    moderator: Moderator, repository: LibraryRepository, *, user_id: str, name: str | None, label: str | None
) -> None:
    """422 `content_blocked` (in the reader's language) when a name or label is unfit for a child: names go into
    story and suggestion prompts, so they are checked once, here, before they are stored."""
    words = "\n".join(word for word in (name, label) if word)
    if not words:
        return
    language = settings_from_row(await repository.settings(user_id=user_id)).language
    raise_if_blocked(await moderator.check_text(words, language=language), source="genre", language=language)


async def _name_is_free(repository: LibraryRepository, *, user_id: str, name: str, genre_id: str | None = None) -> str:
    """The name's key, or 409 when it is a built-in genre's or another of this reader's genres'."""
    key = name_key(name)
    if _built_in_name(key):
        raise ApiError(409, "conflict", f"{name!r} is already a built-in genre")
    same = await repository.genre_by_key(user_id=user_id, name_key=key)
    if same is not None and same.id != genre_id:
        raise ApiError(409, "conflict", f"you already have a genre named {name!r}")
    return key


async def create_genre(*, session: AsyncSession, user_id: str, genre: GenreCreate, moderator: Moderator, now: datetime) -> CustomGenre:
    """A new custom genre; the same name again (case-insensitively, or a built-in genre's) is a 409; an unsafe one a 422."""
    repository = LibraryRepository(session)
    key = await _name_is_free(repository, user_id=user_id, name=genre.name)
    if await repository.count_genres(user_id=user_id) >= MAX_CUSTOM_GENRES:
        raise ApiError(409, "conflict", f"you can keep at most {MAX_CUSTOM_GENRES} custom genres; delete one first")
    await _check_genre_words(moderator, repository, user_id=user_id, name=genre.name, label=genre.label)
    row = GenreRow(
        id=CUSTOM_GENRE_PREFIX + uuid.uuid4().hex[:12], user_id=user_id, name=genre.name, name_key=key, label=genre.label, created_at=now
    )
    try:
        await repository.add(row)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise ApiError(409, "conflict", f"you already have a genre named {genre.name!r}") from None
    return custom_genre(row)


async def rename_genre(
    *, session: AsyncSession, user_id: str, genre_id: str, update: GenreUpdate, moderator: Moderator
) -> CustomGenre | None:
    """The genre with a new name and/or label (same rules as a new one); None when the reader has no such genre."""
    repository = LibraryRepository(session)
    row = await repository.genre(user_id=user_id, genre_id=genre_id)
    if row is None:
        return None
    key = row.name_key if update.name is None else await _name_is_free(repository, user_id=user_id, name=update.name, genre_id=row.id)
    await _check_genre_words(moderator, repository, user_id=user_id, name=update.name, label=update.label)
    if update.name is not None:
        row.name, row.name_key = update.name, key
    if "label" in update.model_fields_set:
        row.label = update.label
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise ApiError(409, "conflict", f"you already have a genre named {update.name!r}") from None
    return custom_genre(row)


async def custom_genre_names(*, session: AsyncSession, user_id: str) -> CustomGenreNames:
    """The reader's own genres, id → name, for story-service to check and name the genres of a story request."""
    return CustomGenreNames(names={row.id: row.name for row in await LibraryRepository(session).genres(user_id=user_id)})


async def delete_genre(*, session: AsyncSession, user_id: str, genre_id: str, now: datetime) -> None:
    """Delete the genre and take it out of the reader's settings in the same transaction."""
    repository = LibraryRepository(session)
    row = await repository.genre(user_id=user_id, genre_id=genre_id)
    if row is None:
        raise not_found("genre")
    await repository.delete_genre(row)
    settings = await repository.settings(user_id=user_id)
    if settings is not None and genre_id in settings.genres:
        settings.genres = [genre for genre in settings.genres if genre != genre_id]
        settings.updated_at = now
        await session.flush()


def saved_prompt(row: SavedPromptRow, *, already_saved: bool = False) -> SavedPrompt:
    language = cast(Language, row.language)
    return SavedPrompt(id=row.id, text=row.text, language=language, created_at=row.created_at, already_saved=already_saved)


async def save_prompt(*, session: AsyncSession, user_id: str, prompt: SavedPromptCreate, now: datetime) -> SavedPrompt:
    """Keep a prompt; the same text again returns the kept entry with `already_saved`."""
    repository = LibraryRepository(session)
    key = text_key(prompt.text)
    existing = await repository.saved_prompt_by_key(user_id=user_id, text_key=key)
    if existing is not None:
        return saved_prompt(existing, already_saved=True)
    if await repository.count_saved_prompts(user_id=user_id) >= MAX_SAVED_PROMPTS:
        raise ApiError(409, "conflict", f"you can keep at most {MAX_SAVED_PROMPTS} saved prompts; delete some first")
    row = SavedPromptRow(id=str(uuid.uuid4()), user_id=user_id, text=prompt.text, text_key=key, language=prompt.language, created_at=now)
    try:
        await repository.add(row)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        existing = await repository.saved_prompt_by_key(user_id=user_id, text_key=key)
        if existing is None:
            raise
        return saved_prompt(existing, already_saved=True)
    return saved_prompt(row)


async def list_saved_prompts(*, session: AsyncSession, user_id: str, cursor: str | None, limit: int) -> SavedPromptPage:
    after = decode_cursor(cursor) if cursor else None
    rows = await LibraryRepository(session).saved_prompts(user_id=user_id, after=after, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(Cursor(created_at=page[-1].created_at, id=page[-1].id)) if more else None
    return SavedPromptPage(prompts=[saved_prompt(row) for row in page], next_cursor=next_cursor)


async def delete_saved_prompt(*, session: AsyncSession, user_id: str, prompt_id: str) -> None:
    if not await LibraryRepository(session).delete_saved_prompt(user_id=user_id, prompt_id=prompt_id):
        raise not_found("saved prompt")


async def clear_saved_prompts(*, session: AsyncSession, user_id: str) -> int:
    return await LibraryRepository(session).clear_saved_prompts(user_id=user_id)
