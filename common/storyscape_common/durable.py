"""Durable work: a row is written before the work is attempted, then claimed with a lease and retried with backoff
until it is done. A claim left by a crashed process expires and the row is taken again; on PostgreSQL two
processes never claim the same row (`FOR UPDATE SKIP LOCKED`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, Integer, Text, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storyscape_common.db_types import UTCDateTime


class DurableColumns:
    """The columns a durable-work table adds to its own: when to try next, who holds it, how it went."""

    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


Row = TypeVar("Row", bound=DurableColumns)


def backoff(attempts: int, *, first_seconds: float = 0.5, cap_seconds: float = 60.0) -> timedelta:
    """`first_seconds`, twice that, four times, … capped at `cap_seconds`: a service that is back is tried again soon."""
    return timedelta(seconds=min(cap_seconds, first_seconds * 2 ** max(0, attempts - 1)))


async def claim_due(
    session: AsyncSession, model: type[Row], *, now: datetime, lease: timedelta, limit: int, where: tuple[ColumnElement[bool], ...] = ()
) -> list[Row]:
    """Rows of `model` due by `now` and not held by a live claim, claimed for `lease` (commit the session to keep it)."""
    due = (
        select(model)
        .where(model.next_attempt_at <= now, or_(model.claimed_until.is_(None), model.claimed_until < now), *where)
        .order_by(model.next_attempt_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = list((await session.execute(due)).scalars())
    for row in rows:
        row.claimed_until = now + lease
    return rows
