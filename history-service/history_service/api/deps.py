"""Dependencies of history-service's endpoints: the clock, the reader's time zone, the caller's role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Header, Request

from history_service.media import MediaReader, SourcePhotos
from history_service.reader_timezone import SettingsTimezones
from history_service.service import resolve_timezone
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity
from storyscape_common.registry import STORY_SERVICE


def current_time(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


async def reader_timezone(
    request: Request,
    identity: CurrentIdentity,
    x_user_timezone: Annotated[
        str | None, Header(description="IANA time zone for grouping, e.g. Asia/Kolkata; defaults to the reader's settings")
    ] = None,
) -> ZoneInfo:
    """The header's zone, else the reader's settings, else the service default."""
    default: str = request.app.state.settings.default_timezone
    if x_user_timezone is None or not x_user_timezone.strip():
        timezones: SettingsTimezones = request.app.state.timezones
        default = await timezones.zone_for(identity) or default
    return resolve_timezone(x_user_timezone, default=default)


def story_service_identity(identity: CurrentIdentity) -> Identity:
    """Only story-service saves stories; a user's gateway token may read and delete, never write here."""
    # The issuer comes from the key that signed the token, not from anything the token claims.
    if not identity.issued_by(STORY_SERVICE):
        raise ApiError(403, "forbidden", "only story-service may save stories")
    return identity


def media_reader(request: Request) -> MediaReader:
    reader: MediaReader = request.app.state.media_reader
    return reader


def source_photos(request: Request) -> SourcePhotos:
    photos: SourcePhotos = request.app.state.source_photos
    return photos


Now = Annotated[datetime, Depends(current_time)]
ReaderTimezone = Annotated[ZoneInfo, Depends(reader_timezone)]
StoryServiceIdentity = Annotated[Identity, Depends(story_service_identity)]
Media = Annotated[MediaReader, Depends(media_reader)]
Photos = Annotated[SourcePhotos, Depends(source_photos)]
