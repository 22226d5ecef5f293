"""robots.txt per host, fetched once per run through the same throttle as pages."""

from __future__ import annotations

import logging
from typing import Literal
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from training.scrape.throttle import HostThrottle

logger = logging.getLogger(__name__)
DISALLOW_ALL = ["User-agent: *", "Disallow: /"]
Verdict = Literal["allowed", "disallowed", "unavailable"]


class RobotsRules:
    def __init__(self, *, client: httpx.AsyncClient, throttle: HostThrottle, user_agent: str) -> None:
        self.client, self.throttle, self.user_agent = client, throttle, user_agent
        # None: robots.txt could not be read this run (network error or 5xx).
        self.parsers: dict[str, RobotFileParser | None] = {}

    async def verdict(self, url: str) -> Verdict:
        """Whether robots.txt of the URL's host lets our user agent fetch it ("unavailable": ask next run)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.parsers:
            self.parsers[origin] = await self._load(origin, parts.netloc)
        parser = self.parsers[origin]
        if parser is None:
            return "unavailable"
        return "allowed" if parser.can_fetch(self.user_agent, url) else "disallowed"

    async def _load(self, origin: str, host: str) -> RobotFileParser | None:
        parser = RobotFileParser(f"{origin}/robots.txt")
        await self.throttle.wait_turn(host)
        try:
            response = await self.client.get(f"{origin}/robots.txt", follow_redirects=True)
        except httpx.HTTPError as error:
            # A site whose rules we cannot read is not crawled this run.
            logger.warning("robots.txt of %s unreadable (%s): skipping the host this run", origin, error)
            return None
        if response.status_code >= 500:
            logger.warning("robots.txt of %s answered %s: skipping the host this run", origin, response.status_code)
            return None
        if response.status_code in (401, 403):
            parser.parse(DISALLOW_ALL)
        elif response.status_code >= 400:
            # No robots.txt (404 and the like): nothing is forbidden.
            parser.parse([])
        else:
            parser.parse(response.text.splitlines())
            delay = parser.crawl_delay(self.user_agent)
            if delay:
                self.throttle.set_host_delay(host, float(delay))
        return parser
