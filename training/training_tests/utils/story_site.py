"""A small story website for the scraper tests: robots.txt, an index, stories, a redirect, a failing page."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse

ROBOTS = "User-agent: *\nDisallow: /stories/private\n"
NOISE = ("SCRIPT_NOISE", "STYLE_NOISE", "NAV_NOISE", "FOOTER_NOISE", "ASIDE_NOISE")


@dataclass
class StorySite:
    """The pages the site serves, and every request it saw (path, monotonic time)."""

    stories: dict[str, tuple[str, str]]
    requests: list[tuple[str, float]] = field(default_factory=list)
    broken_page_fails: bool = True
    robots_status: int = 200

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


def story_page(title: str, text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    return (
        f"<!doctype html><html><head><title>{html.escape(title)} | Kahani Ghar</title>"
        "<style>.story { color: red } /* STYLE_NOISE */</style></head><body>"
        "<header><nav><a href='/stories/'>कहानियाँ</a> NAV_NOISE</nav></header>"
        "<script>var banner = 'SCRIPT_NOISE';</script>"
        f"<main><article class='story'><h1>{html.escape(title)}</h1>{paragraphs}"
        "<aside>Read more ASIDE_NOISE <a href='/stories/moon'>चाँद</a></aside></article></main>"
        "<footer>© Kahani Ghar FOOTER_NOISE</footer></body></html>"
    )


def index_page(links: list[str]) -> str:
    items = "".join(f"<li><a href='{link}'>{link}</a></li>" for link in links)
    return f"<html><head><title>सूची</title></head><body><article class='story'><h1>सूची</h1><ul>{items}</ul></article></body></html>"


def story_site_app(site: StorySite) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def remember(request: Request, call_next):
        site.requests.append((request.url.path, time.monotonic()))
        return await call_next(request)

    @app.get("/robots.txt")
    async def robots() -> Response:
        return PlainTextResponse(ROBOTS if site.robots_status == 200 else "unavailable", status_code=site.robots_status)

    @app.get("/stories/")
    async def index() -> Response:
        links = [
            "/stories/fox",
            "/stories/moon",
            "/old/river",
            "/old/away",
            "/stories/broken",
            "/stories/private-garden",
            "/stories/about",
            "/elsewhere/stray",
            "/stories/fox#top",
        ]
        return HTMLResponse(index_page(links))

    @app.get("/old/river")
    async def moved() -> Response:
        return RedirectResponse("/stories/river", status_code=301)

    @app.get("/old/away")
    async def moved_away() -> Response:
        return RedirectResponse("/elsewhere/target", status_code=302)

    @app.get("/stories/broken")
    async def broken() -> Response:
        if site.broken_page_fails:
            return PlainTextResponse("database is down", status_code=500)
        return HTMLResponse(story_page(*site.stories["broken"]))

    @app.get("/stories/about")
    async def about() -> Response:
        return HTMLResponse(story_page("हमारे बारे में", "यह कहानियों की वेबसाइट है।"))

    @app.get("/{section}/{slug}")
    async def story(section: str, slug: str) -> Response:
        if slug not in site.stories:
            return PlainTextResponse("not found", status_code=404)
        return HTMLResponse(story_page(*site.stories[slug]))

    return app
