"""`/v1/prompts/suggestions`: today's five prompts for the reader."""

from __future__ import annotations

from fastapi import APIRouter, Request

from prompt_service.api.deps import Now
from prompt_service.schemas import SuggestionSet
from prompt_service.suggestions.service import Suggestions
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1/prompts", tags=["suggestions"])


@router.get(
    "/suggestions",
    summary="Today's 5 prompts for the reader's language, age group and genres (the same all day in their time zone)",
    responses={401: {"description": "No valid internal token"}},
)
async def suggestions(request: Request, identity: CurrentIdentity, now: Now) -> SuggestionSet:
    service: Suggestions = request.app.state.suggestions
    return await service.today(identity=identity, now=now)
