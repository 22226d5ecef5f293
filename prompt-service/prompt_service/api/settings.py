"""`/v1/me/settings`: the reader's settings (defaults for a new reader)."""

from __future__ import annotations

from fastapi import APIRouter

from prompt_service import library
from prompt_service.api.deps import Now
from prompt_service.schemas import SettingsUpdate, UserSettings
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1/me", tags=["settings"])


@router.get("/settings", summary="The caller's settings; a new reader gets the defaults")
async def get_settings(session: SessionDep, identity: CurrentIdentity) -> UserSettings:
    return await library.get_settings(session=session, user_id=identity.user_id)


@router.put(
    "/settings",
    summary="Change settings: the fields given are validated together and saved together; others keep their value",
)
async def put_settings(update: SettingsUpdate, session: SessionDep, identity: CurrentIdentity, now: Now) -> UserSettings:
    return await library.update_settings(session=session, user_id=identity.user_id, update=update, now=now)
