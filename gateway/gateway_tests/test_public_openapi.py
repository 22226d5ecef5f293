"""The gateway's one OpenAPI document: built from the services' own schemas, never out of step with them, and
listing every public route of docs/api.md — and nothing internal or operational."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from storyscape_devtools.public_openapi import DOCS_COPY, GATEWAY_COPY, rendered
from storyscape_devtools.testing import LiveServer

REPO_ROOT = Path(__file__).resolve().parents[2]


def documented_routes() -> set[tuple[str, str]]:
    """(method, path) for every route docs/api.md names, path parameters normalised to `{}`."""
    text = (REPO_ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    routes = set()
    for line in text.splitlines():
        for match in re.finditer(r"`((?:(?:GET|PUT|POST|DELETE)\s*/?\s*)+)(/v1/[^`?\s]*)", line):
            for method in re.findall(r"GET|PUT|POST|DELETE", match.group(1)):
                routes.add((method, re.sub(r"\{[^}]+\}", "{}", match.group(2))))
    return routes


def test_the_checked_in_document_is_what_the_services_describe_today() -> None:
    fresh = rendered()
    assert GATEWAY_COPY.read_text(encoding="utf-8") == fresh, "run `python -m storyscape_devtools.public_openapi --write`"
    assert DOCS_COPY.read_text(encoding="utf-8") == fresh


def test_every_public_route_of_the_docs_is_in_the_document() -> None:
    document = json.loads(GATEWAY_COPY.read_text(encoding="utf-8"))
    described = {(method.upper(), re.sub(r"\{[^}]+\}", "{}", path)) for path, item in document["paths"].items() for method in item}
    missing = sorted(documented_routes() - described)
    assert len(documented_routes()) >= 20
    assert missing == []


def test_nothing_internal_or_operational_is_public() -> None:
    document = json.loads(GATEWAY_COPY.read_text(encoding="utf-8"))
    assert all(path.startswith("/v1/") for path in document["paths"])
    assert document["components"]["securitySchemes"]["FirebaseIdToken"]["scheme"] == "bearer"
    story = document["paths"]["/v1/stories"]["post"]["responses"]["200"]["content"]
    assert set(story["text/event-stream"]["x-events"]) == {
        "story.started",
        "story.delta",
        "story.restarted",
        "story.completed",
        "story.image",
        "error",
    }
    assert "ErrorBody" in document["components"]["schemas"]


async def test_the_gateway_serves_the_whole_public_api(gateway: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        served = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")
    assert served == json.loads(GATEWAY_COPY.read_text(encoding="utf-8"))
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
