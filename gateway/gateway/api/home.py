"""`GET /v1/home`: the app's home screen in one round trip, its parts fetched in parallel under one deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from gateway.api.deps import CurrentUser, RequestId, SettingsDep, Signer, Upstreams
from storyscape_common.contracts.errors import error_responses
from storyscape_common.contracts.home import HistoryHome, Home
from storyscape_common.contracts.settings import UserSettings
from storyscape_common.contracts.suggestions import SuggestionSet
from storyscape_common.registry import HISTORY_SERVICE, PROMPT_SERVICE

router = APIRouter(tags=["home"])


class HomeCalls:
    """The gateway's pooled sessions and signer, calling on behalf of one user."""

    def __init__(self, user: CurrentUser, request_id: RequestId, signer: Signer, upstreams: Upstreams, settings: SettingsDep) -> None:
        self.upstreams = upstreams
        self.signer = signer
        self.user_id, self.request_id = user.uid, request_id
        self.deadline = settings.home_deadline_seconds

    async def get(self, service: str, path: str, model: type[BaseModel]) -> Any:
        token = self.signer.sign(user_id=self.user_id, audience=service, request_id=self.request_id)
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": self.request_id}
        upstream = self.upstreams[service]
        async with upstream.session.get(f"{upstream.base_url}{path}", headers=headers) as response:
            response.raise_for_status()
            return model.model_validate_json(await response.read())


UpstreamsDep = Annotated[HomeCalls, Depends()]


async def gather_within(deadline: float, calls: dict[str, Awaitable[Any]]) -> dict[str, Any]:
    """Each call's result, or None for one that failed or had not answered when the deadline passed."""
    tasks = {name: asyncio.ensure_future(call) for name, call in calls.items()}
    await asyncio.wait(tasks.values(), timeout=deadline)
    results: dict[str, Any] = {}
    for name, task in tasks.items():
        if not task.done():
            task.cancel()
        results[name] = task.result() if task.done() and not task.cancelled() and task.exception() is None else None
    return results


@router.get(
    "/v1/home",
    summary="Settings, today's suggestions, the 5 newest stories and the favorites count; a part that is down is null",
    responses=error_responses(401),
)
async def home(upstreams: UpstreamsDep) -> Home:
    parts = await gather_within(
        upstreams.deadline,
        {
            "settings": upstreams.get(PROMPT_SERVICE, "/v1/me/settings", UserSettings),
            "suggestions": upstreams.get(PROMPT_SERVICE, "/v1/prompts/suggestions", SuggestionSet),
            "history": upstreams.get(HISTORY_SERVICE, "/internal/home", HistoryHome),
        },
    )
    history: HistoryHome | None = parts["history"]
    values = {
        "settings": parts["settings"],
        "suggestions": parts["suggestions"],
        "recent_stories": history.recent_stories if history else None,
        "favorites_count": history.favorites_count if history else None,
    }
    unavailable = [name for name, value in values.items() if value is None]
    return Home(**values, partial=bool(unavailable), unavailable=unavailable)
