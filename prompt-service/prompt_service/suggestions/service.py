"""Today's five prompts for a reader: cache → stored set → one generation per key (model, else the bank).

A reader gets at most `suggestion_daily_generations` generations per local day (changing settings back and forth
cannot call the model without end); after that the bank answers. Sets older than `suggestion_retention_days` are
purged by `purge_periodically`, which the service's lifespan runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from prompt_service import library
from prompt_service.models import SuggestionSetRow
from prompt_service.schemas import ResolvedSettings, SuggestionSet
from prompt_service.settings import Settings
from prompt_service.suggestions.bank import bank_prompts, themes_for
from prompt_service.suggestions.cache import SuggestionCache
from prompt_service.suggestions.checks import parse_prompts, safe_for_children, valid_prompts
from prompt_service.suggestions.model import SuggestionModel
from storyscape_common.catalog import GENRES_BY_ID, genre_label
from storyscape_common.internal_auth import Identity, InternalTokenSigner
from storyscape_safety import Moderator

logger = logging.getLogger("prompt_service.suggestions")
WAIT_STEP_SECONDS = 0.05


def settings_hash(settings: ResolvedSettings) -> str:
    """What shapes a set: language, age group and the genres (by id and by name, so a renamed genre counts).

    Genres are a set here: listing the same genres in another order is the same set, not a new generation."""
    shape = [settings.language, settings.age_group, sorted(settings.genres), sorted(settings.genre_names)]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()


def set_from_row(row: SuggestionSetRow) -> SuggestionSet:
    return SuggestionSet.model_validate(
        {"prompts": row.prompts, "date": row.local_date, "language": row.language, "source": row.source, "enabled": True}
    )


def generation_lock(user_id: str, day: date) -> str:
    """The lock a reader's generations take for one local day (shared by every process through the cache)."""
    return f"{user_id}:{day.isoformat()}"


class Suggestions:
    def __init__(
        self,
        settings: Settings,
        *,
        signer: InternalTokenSigner,
        sessions: async_sessionmaker[AsyncSession],
        registry: CollectorRegistry,
        moderator: Moderator,
    ) -> None:
        self.model = SuggestionModel(settings, signer)
        self.moderator = moderator
        self.cache = SuggestionCache(
            settings.redis_url, ttl_seconds=settings.suggestion_cache_seconds, lock_seconds=settings.suggestion_lock_seconds
        )
        self.sessions = sessions
        self.retry_seconds = settings.suggestion_retry_seconds
        self.daily_generations = settings.suggestion_daily_generations
        self.retention = timedelta(days=settings.suggestion_retention_days)
        self.purge_interval_seconds = settings.suggestion_purge_interval_seconds
        self.flights: dict[str, asyncio.Future[SuggestionSet]] = {}
        self.generations = Counter(
            "storyscape_suggestion_generations_total", "Suggestion sets generated, by source", ["source"], registry=registry
        )
        self.capped = Counter(
            "storyscape_suggestion_daily_cap_total",
            "Suggestion sets answered from the bank, without a model call, because the reader used up the day's generations",
            registry=registry,
        )
        self.purged = Counter("storyscape_suggestion_sets_purged_total", "Stored suggestion sets deleted for age", registry=registry)

    async def today(self, *, identity: Identity, now: datetime) -> SuggestionSet:
        async with self.sessions() as session:
            resolved = await library.resolved_settings(session=session, user_id=identity.user_id)
        day = now.astimezone(ZoneInfo(resolved.timezone)).date()
        if not resolved.recommendations_enabled:
            return SuggestionSet(prompts=[], date=day.isoformat(), language=resolved.language, source=None, enabled=False)
        key = f"{identity.user_id}:{day.isoformat()}:{settings_hash(resolved)}"
        cached = await self.cache.get(key)
        if cached is not None:
            return SuggestionSet.model_validate(cached)
        return await self.single_flight(key, lambda: self.load_or_generate(key, identity=identity, day=day, resolved=resolved, now=now))

    async def single_flight(self, key: str, make: Callable[[], Awaitable[SuggestionSet]]) -> SuggestionSet:
        """Concurrent requests in this process for one key share one task (it outlives a caller that leaves)."""
        flight = self.flights.get(key)
        if flight is None:
            flight = asyncio.ensure_future(make())
            self.flights[key] = flight
            flight.add_done_callback(lambda _: self.flights.pop(key, None))
        return await asyncio.shield(flight)

    async def load_or_generate(
        self, key: str, *, identity: Identity, day: date, resolved: ResolvedSettings, now: datetime
    ) -> SuggestionSet:
        """The stored set, or generate it under the reader's lock for the day; a waiter takes over when the holder's
        lock expires. One lock per reader and day (not per key) makes counting the day's generations exact."""
        lock = generation_lock(identity.user_id, day)
        while True:
            found = await self.cached_or_stored(key, user_id=identity.user_id, day=day, shape=key.rsplit(":", 1)[1])
            if found is not None:
                return found
            token = await self.cache.acquire(lock)
            if token is not None:
                break
            await asyncio.sleep(WAIT_STEP_SECONDS)  # another process is generating; its set lands in the cache
        try:
            found = await self.cached_or_stored(key, user_id=identity.user_id, day=day, shape=key.rsplit(":", 1)[1])
            if found is not None:
                return found
            if await self.generations_on(user_id=identity.user_id, day=day) >= self.daily_generations:
                return await self.bank_after_cap(key, identity=identity, day=day, resolved=resolved)
            return await self.generate(key, identity=identity, day=day, resolved=resolved, now=now)
        finally:
            await self.cache.release(lock, token)

    async def generations_on(self, *, user_id: str, day: date) -> int:
        """Sets generated (and stored) for the reader on their local `day`, under any settings."""
        query = select(func.count()).select_from(SuggestionSetRow)
        query = query.where(SuggestionSetRow.user_id == user_id, SuggestionSetRow.local_date == day.isoformat())
        async with self.sessions() as session:
            return int((await session.execute(query)).scalar_one())

    async def bank_after_cap(self, key: str, *, identity: Identity, day: date, resolved: ResolvedSettings) -> SuggestionSet:
        """The bank's set for these settings: no model call and no new row (it is the same set again on a repeat)."""
        prompts = self.bank_set(identity=identity, day=day, resolved=resolved)
        result = SuggestionSet(prompts=prompts, date=day.isoformat(), language=resolved.language, source="bank", enabled=True)
        self.capped.inc()
        await self.cache.put(key, result.model_dump())
        return result

    @staticmethod
    def bank_set(*, identity: Identity, day: date, resolved: ResolvedSettings) -> list[str]:
        custom = {name: name for name in resolved.genre_names if name not in GENRES_BY_ID}
        themes = themes_for(resolved.genre_names, custom)
        return bank_prompts(user_id=identity.user_id, day=day, language=resolved.language, age_group=resolved.age_group, themes=themes)

    async def cached_or_stored(self, key: str, *, user_id: str, day: date, shape: str) -> SuggestionSet | None:
        cached = await self.cache.get(key)
        if cached is not None:
            return SuggestionSet.model_validate(cached)
        async with self.sessions() as session:
            row = await session.get(SuggestionSetRow, (user_id, day.isoformat(), shape))
        if row is None:
            return None
        found = set_from_row(row)
        await self.cache.put(key, found.model_dump())
        return found

    async def generate(self, key: str, *, identity: Identity, day: date, resolved: ResolvedSettings, now: datetime) -> SuggestionSet:
        """Ask the model; what fails the checks gets the bank (stored). A missed deadline is served but not stored."""
        words = [genre_label(name, resolved.language) for name in resolved.genre_names]
        answer = await self.model.ask(language=resolved.language, age_group=resolved.age_group, genres=words, identity=identity)
        prompts = parse_prompts(answer) if answer is not None else None
        source = "model"
        usable = prompts is not None and valid_prompts(prompts, language=resolved.language)
        if prompts is None or not usable or not await safe_for_children(self.moderator, prompts, language=resolved.language):
            prompts = self.bank_set(identity=identity, day=day, resolved=resolved)
            source = "bank"
        self.generations.labels(source=source).inc()
        result = SuggestionSet(prompts=prompts, date=day.isoformat(), language=resolved.language, source=source, enabled=True)  # type: ignore[arg-type]
        if answer is None:
            await self.cache.put(key, result.model_dump(), ttl=self.retry_seconds)
            return result
        stored = await self.store(key.rsplit(":", 1)[1], user_id=identity.user_id, result=result, now=now)
        await self.cache.put(key, stored.model_dump())
        return stored

    async def store(self, shape: str, *, user_id: str, result: SuggestionSet, now: datetime) -> SuggestionSet:
        """Insert the day's set; if another process stored one first, that one is the day's set."""
        row = SuggestionSetRow(
            user_id=user_id, local_date=result.date, settings_hash=shape, language=result.language,
            prompts=result.prompts, source=result.source, created_at=now,
        )  # fmt: skip
        async with self.sessions() as session:
            try:
                session.add(row)
                await session.commit()
                return result
            except IntegrityError:
                await session.rollback()
                existing = await session.get(SuggestionSetRow, (user_id, result.date, shape), populate_existing=True)
        if existing is None:
            raise RuntimeError("suggestion set vanished after a conflicting insert")
        return set_from_row(existing)

    async def purge_old(self, *, now: datetime) -> int:
        """Delete the sets created more than the retention period before `now`; how many went."""
        statement = delete(SuggestionSetRow).where(SuggestionSetRow.created_at < now - self.retention)
        async with self.sessions() as session:
            deleted = (await session.execute(statement)).rowcount  # type: ignore[attr-defined]
            await session.commit()
        self.purged.inc(deleted)
        return int(deleted)

    async def purge_periodically(self, clock: Callable[[], datetime]) -> None:
        """`purge_old` now and then every purge interval, for the service's lifetime; a failed pass waits for the next."""
        while True:
            try:
                deleted = await self.purge_old(now=clock())
                if deleted:
                    logger.info("purged old suggestion sets", extra={"fields": {"deleted": deleted}})
            except Exception as exc:  # noqa: BLE001 - the database may be down for a while; the next pass tries again
                logger.warning("could not purge old suggestion sets", extra={"fields": {"error": type(exc).__name__}})
            await asyncio.sleep(self.purge_interval_seconds)

    async def aclose(self) -> None:
        await asyncio.gather(self.model.aclose(), self.cache.aclose())
