"""Today's five prompts for a reader: cache → stored set → one generation per key (model, else the bank)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from prometheus_client import CollectorRegistry, Counter
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

WAIT_STEP_SECONDS = 0.05


def settings_hash(settings: ResolvedSettings) -> str:
    """What shapes a set: language, age group and the genres (by id and by name, so a renamed genre counts)."""
    shape = [settings.language, settings.age_group, settings.genres, settings.genre_names]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()


def set_from_row(row: SuggestionSetRow) -> SuggestionSet:
    return SuggestionSet.model_validate(
        {"prompts": row.prompts, "date": row.local_date, "language": row.language, "source": row.source, "enabled": True}
    )


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
        self.flights: dict[str, asyncio.Future[SuggestionSet]] = {}
        self.generations = Counter(
            "storyscape_suggestion_generations_total", "Suggestion sets generated, by source", ["source"], registry=registry
        )

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
        return await self.single_flight(key, lambda: self.load_or_generate(key, identity=identity, day=day, resolved=resolved))

    async def single_flight(self, key: str, make: Callable[[], Awaitable[SuggestionSet]]) -> SuggestionSet:
        """Concurrent requests in this process for one key share one task (it outlives a caller that leaves)."""
        flight = self.flights.get(key)
        if flight is None:
            flight = asyncio.ensure_future(make())
            self.flights[key] = flight
            flight.add_done_callback(lambda _: self.flights.pop(key, None))
        return await asyncio.shield(flight)

    async def load_or_generate(self, key: str, *, identity: Identity, day: date, resolved: ResolvedSettings) -> SuggestionSet:
        """The stored set, or generate it under the key's lock; a waiter takes over when the holder's lock expires."""
        while True:
            found = await self.cached_or_stored(key, user_id=identity.user_id, day=day, shape=key.rsplit(":", 1)[1])
            if found is not None:
                return found
            token = await self.cache.acquire(key)
            if token is not None:
                break
            await asyncio.sleep(WAIT_STEP_SECONDS)  # another process is generating; its set lands in the cache
        try:
            found = await self.cached_or_stored(key, user_id=identity.user_id, day=day, shape=key.rsplit(":", 1)[1])
            return found or await self.generate(key, identity=identity, day=day, resolved=resolved)
        finally:
            await self.cache.release(key, token)

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

    async def generate(self, key: str, *, identity: Identity, day: date, resolved: ResolvedSettings) -> SuggestionSet:
        """Ask the model; what fails the checks gets the bank (stored). A missed deadline is served but not stored."""
        words = [genre_label(name, resolved.language) for name in resolved.genre_names]
        answer = await self.model.ask(language=resolved.language, age_group=resolved.age_group, genres=words, identity=identity)
        prompts = parse_prompts(answer) if answer is not None else None
        source = "model"
        usable = prompts is not None and valid_prompts(prompts, language=resolved.language)
        if prompts is None or not usable or not await safe_for_children(self.moderator, prompts, language=resolved.language):
            custom = {name: name for name in resolved.genre_names if name not in GENRES_BY_ID}
            themes = themes_for(resolved.genre_names, custom)
            prompts = bank_prompts(
                user_id=identity.user_id, day=day, language=resolved.language, age_group=resolved.age_group, themes=themes
            )
            source = "bank"
        self.generations.labels(source=source).inc()
        result = SuggestionSet(prompts=prompts, date=day.isoformat(), language=resolved.language, source=source, enabled=True)  # type: ignore[arg-type]
        if answer is None:
            await self.cache.put(key, result.model_dump(), ttl=self.retry_seconds)
            return result
        stored = await self.store(key.rsplit(":", 1)[1], user_id=identity.user_id, result=result)
        await self.cache.put(key, stored.model_dump())
        return stored

    async def store(self, shape: str, *, user_id: str, result: SuggestionSet) -> SuggestionSet:
        """Insert the day's set; if another process stored one first, that one is the day's set."""
        row = SuggestionSetRow(
            user_id=user_id, local_date=result.date, settings_hash=shape, language=result.language,
            prompts=result.prompts, source=result.source, created_at=datetime.now(UTC),
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

    async def aclose(self) -> None:
        await asyncio.gather(self.model.aclose(), self.cache.aclose())
