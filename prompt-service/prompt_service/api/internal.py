"""Internal endpoints: other services read a reader's settings and custom genres here."""

from __future__ import annotations

from fastapi import APIRouter

from prompt_service import library
from prompt_service.schemas import CustomGenreNames, ResolvedSettings
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/internal", tags=["internal"])


@router.get("/settings", summary="The caller's user's settings, custom genres resolved to their names")
async def resolved_settings(session: SessionDep, identity: CurrentIdentity) -> ResolvedSettings:
    return await library.resolved_settings(session=session, user_id=identity.user_id)


@router.get("/genres", summary="The caller's user's custom genres, id → name (story-service checks a story's `genres` with them)")
async def custom_genre_names(session: SessionDep, identity: CurrentIdentity) -> CustomGenreNames:
    return await library.custom_genre_names(session=session, user_id=identity.user_id)
