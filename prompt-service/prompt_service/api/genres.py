"""`/v1/genres`: built-in genres and the reader's own."""

from __future__ import annotations

from fastapi import APIRouter, Response

from prompt_service import library
from prompt_service.api.deps import ModeratorDep, Now
from prompt_service.schemas import CustomGenre, GenreCreate, GenreList, GenreUpdate
from storyscape_common.contracts.errors import error_responses
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import not_found

router = APIRouter(prefix="/v1/genres", tags=["genres"])


@router.get("", summary="Built-in genres and the caller's custom genres")
async def list_genres(session: SessionDep, identity: CurrentIdentity) -> GenreList:
    return await library.list_genres(session=session, user_id=identity.user_id)


@router.post(
    "",
    status_code=201,
    summary="Add a custom genre (any script; a name you already have, or a built-in one, is a 409; at most 50; "
    "a name or label unfit for children is a 422 `content_blocked`)",
    responses=error_responses(409, 422),
)
async def create_genre(
    genre: GenreCreate, session: SessionDep, identity: CurrentIdentity, moderator: ModeratorDep, now: Now
) -> CustomGenre:
    return await library.create_genre(session=session, user_id=identity.user_id, genre=genre, moderator=moderator, now=now)


@router.patch(
    "/{genre_id}",
    summary="Rename a custom genre or change its label (same rules as adding one; stories already written keep the old name)",
    responses=error_responses(404, 409, 422),
)
async def rename_genre(
    genre_id: str, update: GenreUpdate, session: SessionDep, identity: CurrentIdentity, moderator: ModeratorDep
) -> CustomGenre:
    renamed = await library.rename_genre(session=session, user_id=identity.user_id, genre_id=genre_id, update=update, moderator=moderator)
    if renamed is None:
        raise not_found("genre")
    return renamed


@router.delete(
    "/{genre_id}", status_code=204, summary="Delete a custom genre (it also leaves your settings)", responses=error_responses(404)
)
async def delete_genre(genre_id: str, session: SessionDep, identity: CurrentIdentity, now: Now) -> Response:
    await library.delete_genre(session=session, user_id=identity.user_id, genre_id=genre_id, now=now)
    return Response(status_code=204)
