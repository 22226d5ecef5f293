"""`GET /v1/favorites`: every favorite story in full, with a strong ETag so the app can keep an offline copy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from history_service import service
from history_service.api.deps import Media
from history_service.schemas import FavoriteList
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1/favorites", tags=["favorites"])


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110: `*` or any listed tag (weak comparison is fine for GET) matches."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


@router.get(
    "",
    summary="The caller's favorite stories, in full; If-None-Match with the current ETag answers 304",
    response_model=FavoriteList,
    responses={304: {"description": "Unchanged since the ETag the client holds (no body)"}},
)
async def favorites(
    response: Response,
    session: SessionDep,
    identity: CurrentIdentity,
    media: Media,
    if_none_match: Annotated[str | None, Header(description="ETag of the copy the client holds")] = None,
) -> FavoriteList | Response:
    etag = await service.favorites_version(session=session, user_id=identity.user_id)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    favorites = await service.favorite_list(session=session, user_id=identity.user_id)
    await media.attach(favorites.stories, identity=identity)
    return favorites
