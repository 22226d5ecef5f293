"""SQL for settings, custom genres and saved prompts. Every read and write names the owning user."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from prompt_service.models import GenreRow, SavedPromptRow, SettingsRow
from storyscape_common.cursor import Cursor


class LibraryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def settings(self, *, user_id: str) -> SettingsRow | None:
        return await self.session.get(SettingsRow, user_id, populate_existing=True)

    async def save_settings(self, row: SettingsRow) -> None:
        await self.session.merge(row)
        await self.session.flush()

    async def genres(self, *, user_id: str) -> list[GenreRow]:
        query = select(GenreRow).where(GenreRow.user_id == user_id).order_by(GenreRow.created_at, GenreRow.id)
        return list((await self.session.execute(query)).scalars())

    async def genre(self, *, user_id: str, genre_id: str) -> GenreRow | None:
        query = select(GenreRow).where(GenreRow.user_id == user_id, GenreRow.id == genre_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def genre_by_key(self, *, user_id: str, name_key: str) -> GenreRow | None:
        query = select(GenreRow).where(GenreRow.user_id == user_id, GenreRow.name_key == name_key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def count_genres(self, *, user_id: str) -> int:
        return int(await self.session.scalar(select(func.count()).where(GenreRow.user_id == user_id)) or 0)

    async def add(self, row: GenreRow | SavedPromptRow) -> None:
        self.session.add(row)
        await self.session.flush()

    async def delete_genre(self, row: GenreRow) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def saved_prompt_by_key(self, *, user_id: str, text_key: str) -> SavedPromptRow | None:
        query = select(SavedPromptRow).where(SavedPromptRow.user_id == user_id, SavedPromptRow.text_key == text_key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def count_saved_prompts(self, *, user_id: str) -> int:
        return int(await self.session.scalar(select(func.count()).where(SavedPromptRow.user_id == user_id)) or 0)

    async def saved_prompts(self, *, user_id: str, after: Cursor | None, limit: int) -> list[SavedPromptRow]:
        query = select(SavedPromptRow).where(SavedPromptRow.user_id == user_id)
        if after is not None:
            query = query.where(
                or_(
                    SavedPromptRow.created_at < after.created_at,
                    and_(SavedPromptRow.created_at == after.created_at, SavedPromptRow.id > after.id),
                )
            )
        query = query.order_by(SavedPromptRow.created_at.desc(), SavedPromptRow.id.asc()).limit(limit)
        return list((await self.session.execute(query)).scalars())

    async def delete_saved_prompt(self, *, user_id: str, prompt_id: str) -> bool:
        result = await self.session.execute(delete(SavedPromptRow).where(SavedPromptRow.user_id == user_id, SavedPromptRow.id == prompt_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def clear_saved_prompts(self, *, user_id: str) -> int:
        result = await self.session.execute(delete(SavedPromptRow).where(SavedPromptRow.user_id == user_id))
        return int(result.rowcount)  # type: ignore[attr-defined]
