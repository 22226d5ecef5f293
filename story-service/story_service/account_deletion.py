"""Account deletion, durably: a job row is written before anything is deleted and removed when nothing of the reader
is left, so it finishes whichever service (this one included) was down or crashed on the way.

Order, and why:
1. The Firebase user is deleted first. From then on no new ID token is issued, and the gateway refuses the old ones
   on its next check (at once in the gateway that took the request, within its token-cache time in the others),
   so the reader cannot add data while it is being deleted.
2. Every service deletes the reader's rows: this one first (outbox rows must not deliver a story to history again),
   then history-service (stories, search terms, favorites), media-service (pictures, narration, uploads) and
   prompt-service (settings, genres, saved prompts, suggestions). Each step is idempotent and retried with backoff
   until its service answers; one service being down does not hold up the others.
3. After `resweep` every service is swept again: a request the gateway accepted before step 1 (a story still
   streaming, a token another gateway still had cached) may have written something after step 2.
Then the row is deleted: no row means done, and nothing of the reader stays here either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Protocol

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from story_service.firebase_accounts import FirebaseAccounts
from story_service.models import AccountDeletionRow, Base
from story_service.settings import Settings
from storyscape_common.account import delete_user_rows
from storyscape_common.clients.history import HistoryClient
from storyscape_common.clients.media import MediaClient
from storyscape_common.clients.prompt import PromptClient
from storyscape_common.contracts.account import DeletionState
from storyscape_common.durable import backoff, claim_due
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import ISSUER_PREFIX, Identity
from storyscape_common.registry import HISTORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE, STORY_SERVICE
from storyscape_common.tasks import running

logger = logging.getLogger("story_service.account_deletion")

FIREBASE_PHASE, SWEEP_PHASE, RESWEEP_PHASE = "firebase", "sweep", "resweep"
# Sweep order: this service's own rows first, so its outbox cannot hand history a story again.
SWEEP_ORDER = (STORY_SERVICE, HISTORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE)
LEASE_MARGIN_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 300.0


class UserDeleter(Protocol):
    async def delete_user(self, uid: str) -> bool: ...


class DeletionMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "storyscape_account_deletions",
            "Account deletions: requested, firebase_deleted, swept, completed, and failed steps (by step)",
            ["event", "step"],
            registry=registry,
        )


class AccountDeletions:
    """The jobs and their worker."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        firebase: UserDeleter,
        history: HistoryClient,
        media: MediaClient,
        prompt: PromptClient,
        clock: Callable[[], datetime],
        resweep_after: timedelta,
        poll_seconds: float,
        call_timeout: float,
        registry: CollectorRegistry,
    ) -> None:
        self.sessions = sessions
        self.firebase = firebase
        self.clock = clock
        self.resweep_after = resweep_after
        self.poll_seconds = poll_seconds
        self.call_timeout = call_timeout
        # A claim outlives one attempt (each step waits at most call_timeout) and no more: a process that crashed
        # mid-attempt holds the job only that long.
        self.lease = timedelta(seconds=(len(SWEEP_ORDER) + 1) * call_timeout + LEASE_MARGIN_SECONDS)
        self.metrics = DeletionMetrics(registry)
        self.wake = asyncio.Event()
        self.sweeps: dict[str, Callable[[Identity], Awaitable[object]]] = {
            STORY_SERVICE: self.delete_own_rows,
            HISTORY_SERVICE: lambda identity: history.delete_account_data(identity=identity),
            MEDIA_SERVICE: lambda identity: media.delete_account_media(identity=identity),
            PROMPT_SERVICE: lambda identity: prompt.delete_account_data(identity=identity),
        }

    async def request(self, *, user_id: str, request_id: str) -> None:
        """Record the deletion (once per reader: asking again while it runs changes nothing), then wake the worker."""
        now = self.clock()
        row = AccountDeletionRow(
            user_id=user_id, request_id=request_id, phase=FIREBASE_PHASE, done_steps=[], created_at=now, attempts=0, next_attempt_at=now
        )
        try:
            async with self.sessions.begin() as session:
                if await session.get(AccountDeletionRow, user_id) is None:
                    session.add(row)
                    self.metrics.events.labels("requested", "").inc()
        except IntegrityError:
            pass  # the same reader's other request recorded it a moment ago
        self.wake.set()

    async def status(self, *, user_id: str) -> DeletionState:
        async with self.sessions() as session:
            found = await session.scalar(select(AccountDeletionRow.user_id).where(AccountDeletionRow.user_id == user_id))
        return "pending" if found is not None else "done"

    async def delete_own_rows(self, identity: Identity) -> None:
        async with self.sessions.begin() as session:
            await delete_user_rows(session, Base.metadata, user_id=identity.user_id, keep=frozenset({AccountDeletionRow.__tablename__}))

    async def advance(self, row: AccountDeletionRow) -> None:
        """One attempt at the row's current phase; the row moves on, is retried later, or is deleted (done)."""
        identity = Identity(user_id=row.user_id, request_id=row.request_id, issuer=ISSUER_PREFIX + STORY_SERVICE, token="")
        if row.phase == FIREBASE_PHASE:
            error = await self.attempt("firebase", self.firebase.delete_user(row.user_id))
            if error is None:
                self.metrics.events.labels("firebase_deleted", "").inc()
                await self.save(row, phase=SWEEP_PHASE, done_steps=[], next_attempt_at=self.clock(), attempts=0, last_error=None)
            else:
                await self.retry(row, error=error, done_steps=row.done_steps)
            return
        done = list(row.done_steps)
        errors = []
        for step in SWEEP_ORDER:
            if step in done:
                continue
            error = await self.attempt(step, self.sweeps[step](identity))
            if error is None:
                done.append(step)
            else:
                errors.append(f"{step}: {error}")
        if errors:
            await self.retry(row, error="; ".join(errors), done_steps=done)
        elif row.phase == SWEEP_PHASE:
            self.metrics.events.labels("swept", "").inc()
            next_at = self.clock() + self.resweep_after
            await self.save(row, phase=RESWEEP_PHASE, done_steps=[], next_attempt_at=next_at, attempts=0, last_error=None)
        else:
            await self.finish(row)

    async def attempt(self, step: str, call: Awaitable[object]) -> str | None:
        """None when the step is done, else why it is not (logged and counted)."""
        try:
            await asyncio.wait_for(call, self.call_timeout)
        except (ApiError, TimeoutError, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001 - firebase-admin raises its own errors; any of them means "try again"
            reason = f"{type(exc).__name__}: {exc}"
        else:
            return None
        self.metrics.events.labels("step_failed", step).inc()
        logger.warning("account deletion step failed; will retry", extra={"fields": {"step": step, "error": reason[:300]}})
        return reason

    async def retry(self, row: AccountDeletionRow, *, error: str, done_steps: list[str]) -> None:
        attempts = row.attempts + 1
        when = self.clock() + backoff(attempts, cap_seconds=MAX_BACKOFF_SECONDS)
        await self.save(row, phase=row.phase, done_steps=done_steps, next_attempt_at=when, attempts=attempts, last_error=error[:500])

    async def save(
        self,
        row: AccountDeletionRow,
        *,
        phase: str,
        done_steps: list[str],
        next_attempt_at: datetime,
        attempts: int,
        last_error: str | None,
    ) -> None:
        async with self.sessions.begin() as session:
            stored = await session.get(AccountDeletionRow, row.user_id, with_for_update=True)
            if stored is None:
                return
            stored.phase, stored.done_steps, stored.attempts = phase, done_steps, attempts
            stored.next_attempt_at, stored.last_error, stored.claimed_until = next_attempt_at, last_error, None

    async def finish(self, row: AccountDeletionRow) -> None:
        async with self.sessions.begin() as session:
            await session.execute(delete(AccountDeletionRow).where(AccountDeletionRow.user_id == row.user_id))
        self.metrics.events.labels("completed", "").inc()
        age = (self.clock() - row.created_at).total_seconds()
        logger.info("account deleted", extra={"fields": {"request_id": row.request_id, "seconds": round(age, 1)}})

    async def advance_one(self) -> bool:
        """Claim one due job and advance it; False when none is due. One at a time, so its lease covers its attempt."""
        async with self.sessions.begin() as session:
            rows = await claim_due(session, AccountDeletionRow, now=self.clock(), lease=self.lease, limit=1)
        for row in rows:
            await self.advance(row)
        return bool(rows)

    async def run(self) -> None:
        """The worker: advance what is due, sleep until the next poll or a nudge, forever (cancel to stop)."""
        while True:
            try:
                while await self.advance_one():
                    pass
            except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup; the rows stay
                logger.exception("account deletion pass failed; retrying")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass


@asynccontextmanager
async def account_deletion_worker(
    app: FastAPI, sessions: async_sessionmaker[AsyncSession], settings: Settings, *, clock: Callable[[], datetime]
) -> AsyncIterator[AccountDeletions]:
    """The service's jobs (`app.state.account_deletions`) with their worker running, for the lifespan's duration."""
    firebase = FirebaseAccounts(settings)
    deletions = AccountDeletions(
        sessions,
        firebase=firebase,
        history=app.state.history,
        media=app.state.media,
        prompt=app.state.prompt,
        clock=clock,
        resweep_after=timedelta(seconds=settings.account_deletion_resweep_seconds),
        poll_seconds=settings.account_deletion_poll_seconds,
        call_timeout=settings.account_deletion_call_timeout_seconds,
        registry=app.state.metrics_registry,
    )
    app.state.account_deletions = deletions
    try:
        async with running(deletions.run()):
            yield deletions
    finally:
        firebase.close()
