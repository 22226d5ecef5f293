"""SQL for stories. Every read and write names the owning user."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from history_service.models import LibraryRow, StoryRow, StoryTermRow
from history_service.search_terms import story_terms
from storyscape_common.cursor import Cursor


class StoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_any_owner(self, story_id: str) -> StoryRow | None:
        """The story with this id whoever owns it; only for telling a retry from an id clash."""
        return await self.session.get(StoryRow, story_id, populate_existing=True)

    async def get_for_user(self, *, user_id: str, story_id: str) -> StoryRow | None:
        query = select(StoryRow).where(StoryRow.id == story_id, StoryRow.user_id == user_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add(self, row: StoryRow) -> None:
        """Insert the story and the words it is found by."""
        self.session.add(row)
        await self.session.flush()
        terms = story_terms(row.title, row.text, row.prompt)
        self.session.add_all(
            StoryTermRow(user_id=row.user_id, term=term, created_at=row.created_at, story_id=row.id) for term in sorted(terms)
        )
        await self.session.flush()

    async def newest_first(self, *, user_id: str, after: Cursor | None, limit: int) -> list[StoryRow]:
        """Up to `limit` stories older than the cursor; ties on created_at go by id, matching the index."""
        query = select(StoryRow).where(StoryRow.user_id == user_id)
        if after is not None:
            query = query.where(
                or_(
                    StoryRow.created_at < after.created_at,
                    and_(StoryRow.created_at == after.created_at, StoryRow.id > after.id),
                )
            )
        query = query.order_by(StoryRow.created_at.desc(), StoryRow.id.asc()).limit(limit)
        return list((await self.session.execute(query)).scalars())

    async def search(self, *, user_id: str, terms: list[str], after: Cursor | None, limit: int) -> list[StoryRow]:
        """Stories holding every term, newest first: walk the first term's index entries in order and keep
        those the other terms also index (each a primary-key lookup)."""
        first = aliased(StoryTermRow)
        query: Select[StoryRow] = (
            select(StoryRow).join(first, and_(first.story_id == StoryRow.id)).where(first.user_id == user_id, first.term == terms[0])
        )
        for term in terms[1:]:
            other = select(StoryTermRow.story_id).where(
                StoryTermRow.user_id == user_id,
                StoryTermRow.term == term,
                StoryTermRow.created_at == first.created_at,
                StoryTermRow.story_id == first.story_id,
            )
            query = query.where(other.exists())
        if after is not None:
            query = query.where(
                or_(first.created_at < after.created_at, and_(first.created_at == after.created_at, first.story_id > after.id))
            )
        query = query.order_by(first.created_at.desc(), first.story_id.asc()).limit(limit)
        return list((await self.session.execute(query)).scalars())

    async def set_favorite(self, *, user_id: str, story_id: str, favorite: bool) -> StoryRow | None:
        """Mark or unmark; the favorites version moves only when something changed."""
        row = await self.get_for_user(user_id=user_id, story_id=story_id)
        if row is None or row.favorite == favorite:
            return row
        row.favorite = favorite
        await self.bump_favorites_version(user_id=user_id)
        return row

    async def favorites(self, *, user_id: str) -> list[StoryRow]:
        query = select(StoryRow).where(StoryRow.user_id == user_id, StoryRow.favorite.is_(True))
        return list((await self.session.execute(query.order_by(StoryRow.created_at.desc(), StoryRow.id.asc()))).scalars())

    async def favorites_count(self, *, user_id: str) -> int:
        query = select(func.count()).select_from(StoryRow).where(StoryRow.user_id == user_id, StoryRow.favorite.is_(True))
        return int((await self.session.execute(query)).scalar_one())

    async def favorites_version(self, *, user_id: str) -> int:
        version = await self.session.scalar(select(LibraryRow.favorites_version).where(LibraryRow.user_id == user_id))
        return int(version or 0)

    async def bump_favorites_version(self, *, user_id: str) -> None:
        """One upsert, so two first changes at once cannot collide on the insert."""
        bind = self.session.get_bind()
        insert = postgresql_insert if bind.dialect.name == "postgresql" else sqlite_insert
        statement = insert(LibraryRow).values(user_id=user_id, favorites_version=1)
        statement = statement.on_conflict_do_update(
            index_elements=[LibraryRow.user_id], set_={"favorites_version": LibraryRow.favorites_version + 1}
        )
        await self.session.execute(statement)

    async def clearable_ids(self, *, user_id: str) -> list[str]:
        """The ids a clear without favorites deletes."""
        query = select(StoryRow.id).where(StoryRow.user_id == user_id, StoryRow.favorite.is_(False))
        return list((await self.session.scalars(query)).all())

    async def clear(self, *, user_id: str, include_favorites: bool) -> tuple[int, bool]:
        """Delete the user's stories (favorites too if asked); returns (how many, whether a favorite went)."""
        condition = StoryRow.user_id == user_id
        if not include_favorites:
            condition = and_(condition, StoryRow.favorite.is_(False))
        favorites_gone = include_favorites and await self.favorites_count(user_id=user_id) > 0
        # Terms first: SQLite enforces the cascade only with foreign keys on, and an explicit delete is cheaper.
        story_ids = select(StoryRow.id).where(condition)
        await self.session.execute(delete(StoryTermRow).where(StoryTermRow.user_id == user_id, StoryTermRow.story_id.in_(story_ids)))
        result = await self.session.execute(delete(StoryRow).where(condition))
        if favorites_gone:
            await self.bump_favorites_version(user_id=user_id)
        return int(result.rowcount), favorites_gone  # type: ignore[attr-defined]

    async def delete_for_user(self, *, user_id: str, story_id: str) -> bool:
        row = await self.get_for_user(user_id=user_id, story_id=story_id)
        if row is None:
            return False
        await self.session.execute(delete(StoryTermRow).where(StoryTermRow.user_id == user_id, StoryTermRow.story_id == story_id))
        await self.session.execute(delete(StoryRow).where(StoryRow.id == story_id, StoryRow.user_id == user_id))
        if row.favorite:
            await self.bump_favorites_version(user_id=user_id)
        return True
