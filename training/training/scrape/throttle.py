"""Per-host spacing of requests: never two requests to one host closer than the interval."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict


class HostThrottle:
    def __init__(self, interval_seconds: float) -> None:
        self.interval = interval_seconds
        self.delays: dict[str, float] = {}
        self.next_allowed: dict[str, float] = {}
        self.locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def set_host_delay(self, host: str, seconds: float) -> None:
        """A longer delay for one host (robots.txt Crawl-delay); never shorter than the configured interval."""
        self.delays[host] = max(self.interval, seconds)

    async def wait_turn(self, host: str) -> None:
        """Sleep until this host may be asked again, and book the next slot."""
        async with self.locks[host]:
            delay = self.next_allowed.get(host, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.next_allowed[host] = time.monotonic() + self.delays.get(host, self.interval)
