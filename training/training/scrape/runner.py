"""`scrape`: crawl each configured source breadth-first and append its stories to the corpus file.

Resumable: <out>.state.json remembers every settled URL (and the links found there), so a rerun fetches only
pages it has never settled — failures are retried — and still walks the known links to reach new pages.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from training.config import ScrapeConfig, ScrapeSource, TrainingConfig
from training.dataset.corpus import Record, append_jsonl, record_ids
from training.scrape.extract import extract_story
from training.scrape.robots import RobotsRules
from training.scrape.state import ScrapeState
from training.scrape.throttle import HostThrottle

logger = logging.getLogger(__name__)
GONE = {404, 410}


@dataclass
class Crawl:
    """What every page visit of one run shares."""

    config: ScrapeConfig
    client: httpx.AsyncClient
    throttle: HostThrottle
    robots: RobotsRules
    state: ScrapeState
    stored_ids: set[str]
    pages_left: int
    outcomes: Counter[str] = field(default_factory=Counter)


def state_path(out: Path) -> Path:
    return out.with_name(out.name + ".state.json")


def within(url: str, prefixes: list[str]) -> bool:
    return any(url.startswith(prefix) for prefix in prefixes)


def story_record(source: ScrapeSource, *, url: str, title: str, text: str) -> Record:
    # The id hangs on the URL, so a page stored twice (a crash between writes) is recognisably the same.
    fallback_title = " ".join(text.split()[:8])
    return {
        "id": f"{source.name}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:12]}",
        "title": title or fallback_title,
        "text": text,
        "language": source.language,
        "genre": source.genre,
        "age_group": source.age_group,
        "source": url,
    }


async def run_scrape(config: TrainingConfig) -> dict[str, Any]:
    """Crawl every source (sources in parallel, each host throttled); returns outcome counts."""
    if config.scrape is None:
        raise ValueError("the config has no scrape section")
    scrape = config.scrape
    headers = {"User-Agent": scrape.user_agent}
    async with httpx.AsyncClient(headers=headers, timeout=scrape.timeout_seconds) as client:
        throttle = HostThrottle(scrape.rate_limit_seconds)
        crawl = Crawl(
            config=scrape,
            client=client,
            throttle=throttle,
            robots=RobotsRules(client=client, throttle=throttle, user_agent=scrape.user_agent),
            state=await ScrapeState.load(state_path(scrape.out)),
            stored_ids=await asyncio.to_thread(record_ids, scrape.out),
            pages_left=scrape.max_pages,
        )
        await asyncio.gather(*(crawl_source(crawl, source) for source in scrape.sources))
    return {"out": str(scrape.out), "outcomes": dict(sorted(crawl.outcomes.items())), "stored_total": len(crawl.stored_ids)}


async def crawl_source(crawl: Crawl, source: ScrapeSource) -> None:
    """Breadth-first from the start URLs; settled pages are not fetched again but their links are walked."""
    queue: deque[str] = deque(source.start_urls)
    seen: set[str] = set()
    while queue:
        url = queue.popleft()
        if url in seen or not within(url, source.allowed_prefixes):
            continue
        seen.add(url)
        if not crawl.state.settled(url):
            if crawl.pages_left <= 0:
                logger.info("max_pages reached; the next run continues from here")
                return
            await visit(crawl, source, url)
        page = crawl.state.pages.get(url, {})
        if page.get("redirect_to"):
            queue.appendleft(page["redirect_to"])
        if source.follow_links:
            queue.extend(link for link in crawl.state.links(url) if link not in seen)


async def visit(crawl: Crawl, source: ScrapeSource, url: str) -> None:
    """Fetch one page (robots and throttle first) and settle it in the state file."""
    verdict = await crawl.robots.verdict(url)
    if verdict != "allowed":
        await settle(crawl, url, "disallowed" if verdict == "disallowed" else "failed", detail=f"robots.txt {verdict}")
        return
    crawl.pages_left -= 1
    await crawl.throttle.wait_turn(urlsplit(url).netloc)
    try:
        response = await crawl.client.get(url)
    except httpx.HTTPError as error:
        await settle(crawl, url, "failed", detail=f"{type(error).__name__}: {error}")
        return
    if response.is_redirect and "location" in response.headers:
        target = urldefrag(urljoin(url, response.headers["location"]))[0]
        status = "redirect" if within(target, source.allowed_prefixes) else "outside_prefixes"
        await settle(crawl, url, status, redirect_to=target if status == "redirect" else None, detail=target)
    elif response.status_code in GONE:
        await settle(crawl, url, "gone", detail=str(response.status_code))
    elif response.status_code != 200:
        await settle(crawl, url, "failed", detail=f"HTTP {response.status_code}")
    elif "html" not in response.headers.get("content-type", ""):
        await settle(crawl, url, "not_html", detail=response.headers.get("content-type", ""))
    else:
        await store_page(crawl, source, url, response.text)


async def store_page(crawl: Crawl, source: ScrapeSource, url: str, html: str) -> None:
    page = extract_story(html, base_url=url, story_selector=source.story_selector, title_selector=source.title_selector)
    links = list(dict.fromkeys(link for link in page.links if within(link, source.allowed_prefixes)))
    if len(page.text) < source.min_story_chars:
        await settle(crawl, url, "not_a_story", links=links, detail=f"{len(page.text)} characters of story text")
        return
    record = story_record(source, url=url, title=page.title, text=page.text)
    if record["id"] not in crawl.stored_ids:
        await asyncio.to_thread(append_jsonl, crawl.config.out, [record])
        crawl.stored_ids.add(record["id"])
    await settle(crawl, url, "stored", links=links, record_id=record["id"])


async def settle(crawl: Crawl, url: str, status: str, **details: Any) -> None:
    crawl.outcomes[status] += 1
    logger.info("%s %s", status, url)
    await crawl.state.record(url, status, **{key: value for key, value in details.items() if value is not None})
