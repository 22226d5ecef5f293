"""Which service answers a public `/v1` request: only a path and method the public API lists, owned by the service
the registry names.

The public OpenAPI document (built from the services' own schemas, drift-checked by a test) says which paths and
methods exist; a path that is not exactly one of them — `/v1/stories/` with its trailing slash, `/v1/stories/x/y` —
is 404 at the gateway and never relayed (a service would answer it with its own redirect or error, naming internal
hosts). The registry's prefix table then says which service owns a listed route.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from storyscape_common.registry import PublicRoute, public_route_table

logger = logging.getLogger("gateway.routing")

STORY_SERVICE = "story-service"
MEDIA_SERVICE = "media-service"
PROMPT_SERVICE = "prompt-service"
HISTORY_SERVICE = "history-service"

PUBLIC_OPENAPI = Path(__file__).with_name("public_openapi.json")
# Signed media URLs: their signature is their authorisation, media-service checks it. Their keys span segments.
SIGNED_MEDIA_PREFIX = "/v1/media/objects/"
SIGNED_MEDIA_METHODS = frozenset({"GET", "HEAD"})
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


# The table is the service registry's, narrow routes first (`/v1/stories/{id}/audio` before `/v1/stories`).
ROUTES: tuple[tuple[PublicRoute, str], ...] = public_route_table()


@dataclass(frozen=True)
class PathTemplate:
    """One path of the public API: literal segments, and `{name}` segments that stand for one non-empty segment."""

    segments: tuple[str | None, ...]  # None where a parameter stands
    methods: frozenset[str]
    open_methods: frozenset[str] = frozenset()  # operations whose `security` is empty: no ID token

    @classmethod
    def parse(cls, path: str, item: dict[str, Any]) -> PathTemplate:
        segments = tuple(None if part.startswith("{") and part.endswith("}") else part for part in path.split("/"))
        operations = {method.upper(): operation for method, operation in item.items() if method in HTTP_METHODS}
        open_methods = frozenset(method for method, operation in operations.items() if operation.get("security") == [])
        return cls(segments, frozenset(operations), open_methods)

    def matches(self, parts: list[str]) -> bool:
        return len(parts) == len(self.segments) and all(
            part == literal if literal is not None else bool(part) for part, literal in zip(parts, self.segments, strict=True)
        )


@dataclass(frozen=True)
class Resolved:
    """Where a request goes: `allowed` empty means no such path (404); `method` not in it, 405; else `service`
    (None for a route the gateway answers itself, like `/v1/home`, or a signed media URL), and whether the route
    needs an ID token (the document says which do not: signed media URLs, an account deletion's status URL)."""

    allowed: frozenset[str]
    service: str | None = None
    needs_token: bool = True

    @property
    def found(self) -> bool:
        return bool(self.allowed)


NOT_FOUND = Resolved(frozenset())


class PublicRoutes:
    """The public API's paths and methods, from the OpenAPI document the gateway serves."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.templates = tuple(
            PathTemplate.parse(path, item)
            for path, item in document.get("paths", {}).items()
            if path.startswith("/v1/") and not path.startswith(SIGNED_MEDIA_PREFIX)
        )

    @classmethod
    def load(cls, path: Path = PUBLIC_OPENAPI) -> PublicRoutes:
        if not path.exists():
            # Only while storyscape_devtools.public_openapi regenerates it: no public route is served meanwhile.
            logger.warning("no public OpenAPI document; every /v1 route is 404", extra={"fields": {"path": str(path)}})
            return cls({})
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cls(document)

    def resolve(self, *, method: str, path: str) -> Resolved:
        """What `method path` (the percent-decoded path, as services route it) reaches."""
        method = method.upper()
        if is_signed_media_path(path):
            return Resolved(SIGNED_MEDIA_METHODS, MEDIA_SERVICE, needs_token=False)
        if has_dot_segments(path):
            return NOT_FOUND
        parts = path.split("/")
        matching = [template for template in self.templates if template.matches(parts)]
        allowed: frozenset[str] = frozenset().union(*(template.methods for template in matching))
        if method not in allowed:
            return Resolved(allowed)
        # Open only if every route this could be says so: an open route never opens a closed one it overlaps.
        needs_token = not all(method in template.open_methods for template in matching if method in template.methods)
        return Resolved(allowed, owner(method=method, path=path), needs_token=needs_token)


def has_dot_segments(path: str) -> bool:
    """True for `.`/`..` segments, encoded or not: the upstream client would resolve them past our prefixes."""
    decoded = unquote(unquote(path))
    return any(segment in (".", "..") for segment in decoded.replace("\\", "/").split("/"))


def owner(*, method: str, path: str) -> str | None:
    """The service the registry gives `path` for `method`, or None."""
    for route, service in ROUTES:
        if route.matches(method=method.upper(), path=path):
            return service
    return None


def is_signed_media_path(path: str) -> bool:
    return path.startswith(SIGNED_MEDIA_PREFIX) and len(path) > len(SIGNED_MEDIA_PREFIX) and not has_dot_segments(path)
