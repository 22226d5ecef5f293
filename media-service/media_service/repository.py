"""Data access for stories, media jobs and uploaded photos; every query that serves a request is scoped by the user."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from media_service.models import JobRow, StoryRow, UploadRow

PENDING, RUNNING, SUCCEEDED, FAILED = "pending", "running", "succeeded", "failed"


def inputs_hash(kind: str, inputs: dict[str, Any]) -> str:
    canonical = json.dumps({"kind": kind, **inputs}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def get_story(session: AsyncSession, story_id: str) -> StoryRow | None:
    return await session.get(StoryRow, story_id)


async def add_story(session: AsyncSession, story: StoryRow) -> bool:
    """Insert `story`; False if a row with its id appeared first (a concurrent registration)."""
    try:
        async with session.begin_nested():
            session.add(story)
        return True
    except IntegrityError:
        return False


async def find_job(session: AsyncSession, *, user_id: str, story_id: str, kind: str, digest: str) -> JobRow | None:
    query = select(JobRow).where(JobRow.user_id == user_id, JobRow.story_id == story_id, JobRow.kind == kind, JobRow.inputs_hash == digest)
    return (await session.execute(query)).scalar_one_or_none()


async def create_job(
    session: AsyncSession, *, user_id: str, story_id: str, kind: str, slot: int, inputs: dict[str, Any], now: datetime
) -> tuple[JobRow, bool]:
    """The job for these inputs, created if new; a failed one is queued again (the caller asked anew)."""
    digest = inputs_hash(kind, inputs)
    existing = await find_job(session, user_id=user_id, story_id=story_id, kind=kind, digest=digest)
    if existing is None:
        row = JobRow(
            id=str(uuid.uuid4()), user_id=user_id, story_id=story_id, kind=kind, slot=slot, inputs=inputs,
            inputs_hash=digest, state=PENDING, attempts=0, next_attempt_at=now, created_at=now, updated_at=now,
        )  # fmt: skip
        try:
            async with session.begin_nested():
                session.add(row)
            return row, True
        except IntegrityError:  # the same request, concurrently: the unique constraint keeps one job
            existing = await find_job(session, user_id=user_id, story_id=story_id, kind=kind, digest=digest)
            assert existing is not None
    if existing.state == FAILED:
        existing.state, existing.attempts, existing.error = PENDING, 0, None
        existing.next_attempt_at = existing.updated_at = now
    return existing, False


async def story_jobs(session: AsyncSession, *, user_id: str, story_id: str) -> list[JobRow]:
    query = (
        select(JobRow).where(JobRow.story_id == story_id, JobRow.user_id == user_id).order_by(JobRow.kind, JobRow.slot, JobRow.created_at)
    )
    return list((await session.execute(query)).scalars())


async def stories_jobs(session: AsyncSession, *, user_id: str, story_ids: list[str]) -> dict[str, list[JobRow]]:
    """Each story's jobs (ordered as `story_jobs` orders them), in one query; a story without jobs maps to []."""
    query = (
        select(JobRow)
        .where(JobRow.story_id.in_(story_ids), JobRow.user_id == user_id)
        .order_by(JobRow.story_id, JobRow.kind, JobRow.slot, JobRow.created_at)
    )
    found: dict[str, list[JobRow]] = {story_id: [] for story_id in story_ids}
    for row in (await session.execute(query)).scalars():
        found[row.story_id].append(row)
    return found


async def get_job(session: AsyncSession, *, user_id: str, job_id: str) -> JobRow | None:
    row = await session.get(JobRow, job_id)
    return row if row is not None and row.user_id == user_id else None


async def claim_next(session: AsyncSession, *, worker_id: str, now: datetime, lease_s: float) -> JobRow | None:
    """Take one due job: pending and due, or running with a lapsed lease (its worker died).

    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets many workers claim without waiting on each other; SQLite ignores
    it (one worker per process there), and the conditional UPDATE below keeps a claim exclusive either way.
    """
    due = or_(
        (JobRow.state == PENDING) & (JobRow.next_attempt_at <= now),
        (JobRow.state == RUNNING) & (JobRow.lease_expires_at < now),
    )
    query = select(JobRow.id, JobRow.state, JobRow.attempts).where(due).order_by(JobRow.next_attempt_at).limit(1)
    candidate = (await session.execute(query.with_for_update(skip_locked=True))).first()
    if candidate is None:
        return None
    claimed = await session.execute(
        update(JobRow)
        .where(JobRow.id == candidate.id, JobRow.state == candidate.state, JobRow.attempts == candidate.attempts)
        .values(
            state=RUNNING,
            attempts=JobRow.attempts + 1,
            claimed_by=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_s),
            updated_at=now,
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.get(JobRow, candidate.id, populate_existing=True)


def _ours(job: JobRow) -> Any:
    """Only the worker holding this attempt's claim may change the job (a re-claimed job belongs to another)."""
    return (JobRow.id == job.id) & (JobRow.claimed_by == job.claimed_by) & (JobRow.attempts == job.attempts) & (JobRow.state == RUNNING)


async def renew_lease(session: AsyncSession, job: JobRow, *, now: datetime, lease_s: float) -> bool:
    result = await session.execute(update(JobRow).where(_ours(job)).values(lease_expires_at=now + timedelta(seconds=lease_s)))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def finish(session: AsyncSession, job: JobRow, *, now: datetime, **values: Any) -> bool:
    """Record the attempt's outcome; False when the job was deleted or re-claimed meanwhile."""
    result = await session.execute(update(JobRow).where(_ours(job)).values(updated_at=now, lease_expires_at=None, **values))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def delete_stories(session: AsyncSession, *, user_id: str, story_ids: list[str] | None) -> tuple[int, list[str]]:
    """Delete the user's stories (all of them when `story_ids` is None), their jobs and their photos; return how many
    stories had something deleted, and the object keys to delete."""
    job_scope = JobRow.user_id == user_id
    story_scope = StoryRow.user_id == user_id
    upload_scope = (UploadRow.user_id == user_id) & UploadRow.story_id.is_not(None)
    if story_ids is not None:
        job_scope = job_scope & JobRow.story_id.in_(story_ids)
        story_scope = story_scope & StoryRow.id.in_(story_ids)
        upload_scope = upload_scope & UploadRow.story_id.in_(story_ids)
    keys = [k for k in (await session.execute(select(JobRow.object_key).where(job_scope))).scalars() if k]
    photos = (await session.execute(select(UploadRow.object_key, UploadRow.story_id).where(upload_scope))).all()
    job_story_ids = set((await session.execute(select(JobRow.story_id).where(job_scope))).scalars())
    story_rows = set((await session.execute(select(StoryRow.id).where(story_scope))).scalars())
    await session.execute(delete(JobRow).where(job_scope))
    await session.execute(delete(StoryRow).where(story_scope))
    await session.execute(delete(UploadRow).where(upload_scope))
    photo_story_ids = {photo.story_id for photo in photos}
    return len(job_story_ids | story_rows | photo_story_ids), keys + [photo.object_key for photo in photos]


async def delete_user(session: AsyncSession, *, user_id: str) -> list[str]:
    """Delete every row of the user (stories, jobs, uploads attached or not); return the object keys they named."""
    keys = [k for k in (await session.execute(select(JobRow.object_key).where(JobRow.user_id == user_id))).scalars() if k]
    keys += list((await session.execute(select(UploadRow.object_key).where(UploadRow.user_id == user_id))).scalars())
    for table, owner in ((JobRow, JobRow.user_id), (StoryRow, StoryRow.user_id), (UploadRow, UploadRow.user_id)):
        await session.execute(delete(table).where(owner == user_id))
    return keys


def record_upload(session: AsyncSession, *, object_key: str, user_id: str, now: datetime) -> None:
    session.add(UploadRow(object_key=object_key, user_id=user_id, story_id=None, created_at=now))


async def attach_upload(session: AsyncSession, *, user_id: str, object_key: str, story_id: str, now: datetime) -> bool:
    """Make the user's upload the story's photo; True when it is (now or already), False for an upload that is not
    theirs, not recorded, being swept, or another story's."""
    free = (UploadRow.story_id.is_(None)) & (UploadRow.sweeping_since.is_(None))
    attached = await session.execute(
        update(UploadRow)
        .where(UploadRow.object_key == object_key, UploadRow.user_id == user_id, free)
        .values(story_id=story_id, attached_at=now)
        .execution_options(synchronize_session=False)
    )
    if attached.rowcount == 1:  # type: ignore[attr-defined]
        return True
    row = await session.get(UploadRow, object_key, populate_existing=True)
    return row is not None and row.user_id == user_id and row.story_id == story_id


async def claim_stale_uploads(session: AsyncSession, *, created_before: datetime, now: datetime, limit: int) -> list[str]:
    """Mark never-attached uploads made before `created_before` as being swept; return up to `limit` marked keys.

    Marked, an upload can no longer be attached to a story, so deleting its object is safe once this commits. The
    write comes first, so SQLite takes its write lock at once; on PostgreSQL `SKIP LOCKED` lets a second sweeper
    mark other rows. Rows another sweeper marked (or a crashed sweep left marked) are returned too: deleting an
    object or a row twice is harmless.
    """
    stale = UploadRow.story_id.is_(None) & (UploadRow.created_at < created_before)
    unmarked = select(UploadRow.object_key).where(stale, UploadRow.sweeping_since.is_(None)).order_by(UploadRow.created_at).limit(limit)
    await session.execute(
        update(UploadRow)
        .where(UploadRow.object_key.in_(unmarked.with_for_update(skip_locked=True)), UploadRow.story_id.is_(None))
        .values(sweeping_since=now)
        .execution_options(synchronize_session=False)
    )
    marked = select(UploadRow.object_key).where(stale, UploadRow.sweeping_since.is_not(None)).order_by(UploadRow.created_at).limit(limit)
    return list((await session.execute(marked)).scalars())


async def delete_swept_uploads(session: AsyncSession, *, keys: list[str]) -> int:
    """Delete the rows of swept uploads whose objects are gone; returns how many were still there."""
    result = await session.execute(delete(UploadRow).where(UploadRow.object_key.in_(keys), UploadRow.sweeping_since.is_not(None)))
    return int(result.rowcount)  # type: ignore[attr-defined]
