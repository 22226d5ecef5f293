"""`/v1/prompts/saved`: prompts the reader kept, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from prompt_service import library
from prompt_service.api.deps import Now
from prompt_service.schemas import Deleted, SavedPrompt, SavedPromptCreate, SavedPromptPage
from storyscape_common.contracts.errors import error_responses
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1/prompts/saved", tags=["saved prompts"])


@router.get("", summary="The caller's saved prompts, newest first", responses=error_responses(400))
async def list_saved(
    session: SessionDep,
    identity: CurrentIdentity,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SavedPromptPage:
    return await library.list_saved_prompts(session=session, user_id=identity.user_id, cursor=cursor, limit=limit)


@router.post(
    "",
    status_code=201,
    summary="Save a prompt; the same text again answers 200 with the kept entry (`already_saved`)",
    responses={200: {"model": SavedPrompt, "description": "Already saved: the kept entry"}, **error_responses(409)},
)
async def save(prompt: SavedPromptCreate, response: Response, session: SessionDep, identity: CurrentIdentity, now: Now) -> SavedPrompt:
    saved = await library.save_prompt(session=session, user_id=identity.user_id, prompt=prompt, now=now)
    if saved.already_saved:
        response.status_code = 200
    return saved


@router.delete("", summary="Delete every saved prompt of the caller")
async def clear(session: SessionDep, identity: CurrentIdentity) -> Deleted:
    return Deleted(deleted=await library.clear_saved_prompts(session=session, user_id=identity.user_id))


@router.delete("/{prompt_id}", status_code=204, summary="Delete one saved prompt", responses=error_responses(404))
async def delete(prompt_id: str, session: SessionDep, identity: CurrentIdentity) -> Response:
    await library.delete_saved_prompt(session=session, user_id=identity.user_id, prompt_id=prompt_id)
    return Response(status_code=204)
