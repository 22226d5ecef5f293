"""The scraper's memory between runs: every URL it settled, with the links found there."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

# A page in any other status (only "failed") is fetched again by the next run.
SETTLED = {"stored", "not_a_story", "disallowed", "redirect", "outside_prefixes", "not_html", "gone"}


class ScrapeState:
    def __init__(self, path: Path, pages: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.pages = pages

    @classmethod
    async def load(cls, path: Path) -> ScrapeState:
        if not await asyncio.to_thread(path.exists):
            return cls(path, {})
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        return cls(path, json.loads(text).get("pages", {}))

    def settled(self, url: str) -> bool:
        return self.pages.get(url, {}).get("status") in SETTLED

    def links(self, url: str) -> list[str]:
        return list(self.pages.get(url, {}).get("links", []))

    async def record(self, url: str, status: str, **details: Any) -> None:
        """Remember one URL's outcome and save at once (a crash loses at most the page in flight)."""
        self.pages[url] = {"status": status, **details}
        await asyncio.to_thread(self._write)

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        temporary.write_text(json.dumps({"pages": self.pages}, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)
