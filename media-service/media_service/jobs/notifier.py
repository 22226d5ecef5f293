"""In-process wake-ups: job created or finished. Other processes' changes are seen by polling the database."""

from __future__ import annotations

import asyncio
import contextlib


class JobNotifier:
    """A broadcast: every waiter wakes on the next `notify`, or when its timeout passes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)
