"""SQL for stories. Every read and write names the owning user."""

from __future__ import annotations

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from history_service.cursor import Cursor
from history_service.models import StoryRow


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
        self.session.add(row)
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

    async def delete_for_user(self, *, user_id: str, story_id: str) -> bool:
        query = delete(StoryRow).where(StoryRow.id == story_id, StoryRow.user_id == user_id)
        result = await self.session.execute(query)
        return bool(result.rowcount)  # type: ignore[attr-defined]
