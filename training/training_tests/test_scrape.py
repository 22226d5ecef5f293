"""The scraper against a real loopback story site: robots.txt, redirects, failures, non-stories, politeness, resume."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from storyscape_devtools.testing import LiveServer

from training.config import TrainingConfig
from training.dataset.corpus import read_jsonl
from training.scrape.runner import run_scrape, state_path
from training_tests.utils.corpus import seed_stories, tiny_config
from training_tests.utils.story_site import NOISE, StorySite, story_site_app

RATE_LIMIT = 0.05
SLUGS = ("fox", "moon", "river", "broken", "private-garden", "stray", "target")


@pytest.fixture
def site() -> Iterator[tuple[StorySite, str]]:
    stories = {slug: (story["title"], story["text"]) for slug, story in zip(SLUGS, seed_stories("hi_part_c.jsonl", 7), strict=False)}
    site = StorySite(stories=stories)
    with LiveServer(story_site_app(site)) as server:
        yield site, server.url


def scrape_config(tmp_path: Path, url: str, *, max_pages: int = 50) -> TrainingConfig:
    source = {
        "name": "kahani-ghar",
        "start_urls": [f"{url}/stories/"],
        "allowed_prefixes": [f"{url}/stories/", f"{url}/old/"],
        "license": "public domain (test fixture)",
        "story_selector": "article.story",
        "title_selector": "h1",
        "min_story_chars": 300,
        "language": "hi",
        "genre": "moral",
        "age_group": "9-12",
    }
    scrape = {"sources": [source], "rate_limit_seconds": RATE_LIMIT, "max_pages": max_pages, "out": str(tmp_path / "scraped.jsonl")}
    return tiny_config(tmp_path / "run", sources=[tmp_path / "scraped.jsonl"], scrape=scrape)


async def test_first_crawl_stores_stories_and_respects_the_site(tmp_path: Path, site: tuple[StorySite, str]) -> None:
    pages, url = site
    config = scrape_config(tmp_path, url)
    summary = await run_scrape(config)

    assert pages.paths() == [
        "/robots.txt",
        "/stories/",
        "/stories/fox",
        "/stories/moon",
        "/old/river",
        "/stories/river",
        "/old/away",
        "/stories/broken",
        "/stories/about",
    ]
    assert summary["outcomes"] == {
        "disallowed": 1,
        "failed": 1,
        "not_a_story": 2,
        "outside_prefixes": 1,
        "redirect": 1,
        "stored": 3,
    }
    records = read_jsonl(tmp_path / "scraped.jsonl")
    assert [r["source"] for r in records] == [f"{url}/stories/{slug}" for slug in ("fox", "moon", "river")]
    for record, slug in zip(records, ("fox", "moon", "river"), strict=False):
        title, text = pages.stories[slug]
        assert record["title"] == title
        assert record["text"] == text
        assert (record["language"], record["genre"], record["age_group"]) == ("hi", "moral", "9-12")
        assert not any(noise in record["text"] or noise in record["title"] for noise in NOISE)
    assert len({r["id"] for r in records}) == 3


async def test_requests_to_one_host_are_spaced_by_the_rate_limit(tmp_path: Path, site: tuple[StorySite, str]) -> None:
    pages, url = site
    await run_scrape(scrape_config(tmp_path, url))
    times = [moment for _, moment in pages.requests]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(gaps) == 8
    assert min(gaps) >= RATE_LIMIT * 0.8


async def test_failures_are_retried_and_a_finished_crawl_fetches_nothing(tmp_path: Path, site: tuple[StorySite, str]) -> None:
    pages, url = site
    config = scrape_config(tmp_path, url)
    await run_scrape(config)
    state = json.loads(state_path(config.scrape.out).read_text(encoding="utf-8"))["pages"]  # type: ignore[union-attr]
    assert state[f"{url}/stories/broken"] == {"status": "failed", "detail": "HTTP 500"}

    pages.broken_page_fails = False
    pages.requests.clear()
    second = await run_scrape(config)
    assert pages.paths() == ["/robots.txt", "/stories/broken"]
    assert second["outcomes"] == {"stored": 1}
    assert [r["source"] for r in read_jsonl(tmp_path / "scraped.jsonl")][-1] == f"{url}/stories/broken"

    pages.requests.clear()
    third = await run_scrape(config)
    assert pages.paths() == []
    assert third["outcomes"] == {} and third["stored_total"] == 4


async def test_a_capped_run_is_continued_by_the_next(tmp_path: Path, site: tuple[StorySite, str]) -> None:
    pages, url = site
    await run_scrape(scrape_config(tmp_path, url, max_pages=3))
    first = [path for path in pages.paths() if path != "/robots.txt"]
    assert first == ["/stories/", "/stories/fox", "/stories/moon"]

    pages.requests.clear()
    await run_scrape(scrape_config(tmp_path, url))
    second = [path for path in pages.paths() if path != "/robots.txt"]
    assert second == ["/old/river", "/stories/river", "/old/away", "/stories/broken", "/stories/about"]
    assert len(read_jsonl(tmp_path / "scraped.jsonl")) == 3


async def test_a_site_whose_robots_txt_fails_is_left_alone_until_it_recovers(tmp_path: Path, site: tuple[StorySite, str]) -> None:
    pages, url = site
    pages.robots_status = 503
    summary = await run_scrape(scrape_config(tmp_path, url))
    assert pages.paths() == ["/robots.txt"]
    assert summary["outcomes"] == {"failed": 1}

    pages.robots_status = 200
    second = await run_scrape(scrape_config(tmp_path, url))
    assert second["outcomes"]["stored"] == 3


async def test_a_site_without_robots_txt_may_be_crawled(tmp_path: Path, site: tuple[StorySite, str]) -> None:
    pages, url = site
    pages.robots_status = 404
    await run_scrape(scrape_config(tmp_path, url))
    assert "/stories/private-garden" in pages.paths()
