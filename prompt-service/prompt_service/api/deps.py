"""Typed dependencies of prompt-service's endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from storyscape_safety import Moderator


def current_time(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


Now = Annotated[datetime, Depends(current_time)]


def moderator(request: Request) -> Moderator:
    value: Moderator = request.app.state.moderator
    return value


ModeratorDep = Annotated[Moderator, Depends(moderator)]
