"""Internal endpoints: other services read a reader's settings here."""

from __future__ import annotations

from fastapi import APIRouter

from prompt_service import library
from prompt_service.schemas import ResolvedSettings
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/internal", tags=["internal"])


@router.get("/settings", summary="The caller's user's settings, custom genres resolved to their names")
async def resolved_settings(session: SessionDep, identity: CurrentIdentity) -> ResolvedSettings:
    return await library.resolved_settings(session=session, user_id=identity.user_id)
