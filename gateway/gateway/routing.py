"""Which service answers a public `/v1` path: a small table, first match wins."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

STORY_SERVICE = "story-service"
MEDIA_SERVICE = "media-service"
PROMPT_SERVICE = "prompt-service"
HISTORY_SERVICE = "history-service"

# Signed media URLs: their signature is their authorisation, media-service checks it.
SIGNED_MEDIA_PREFIX = "/v1/media/objects/"


@dataclass(frozen=True)
class Route:
    """`/v1/genres` matches itself and what is below it; `/v1/me/` only what is below it; `exact` only itself."""

    prefix: str
    service: str
    methods: frozenset[str] | None = None
    exact: bool = False

    def matches(self, *, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.exact:
            return path == self.prefix
        if self.prefix.endswith("/"):
            return path.startswith(self.prefix)
        return path == self.prefix or path.startswith(self.prefix + "/")


ROUTES: tuple[Route, ...] = (
    Route("/v1/stories", STORY_SERVICE, methods=frozenset({"POST"}), exact=True),
    Route("/v1/stories", HISTORY_SERVICE),
    Route("/v1/favorites", HISTORY_SERVICE),
    Route("/v1/catalog", PROMPT_SERVICE),
    Route("/v1/me/", PROMPT_SERVICE),
    Route("/v1/genres", PROMPT_SERVICE),
    Route("/v1/prompts/", PROMPT_SERVICE),
    Route("/v1/media/", MEDIA_SERVICE),
)


def has_dot_segments(path: str) -> bool:
    """True for `.`/`..` segments, encoded or not: the upstream client would resolve them past our prefixes."""
    decoded = unquote(unquote(path))
    return any(segment in (".", "..") for segment in decoded.replace("\\", "/").split("/"))


def service_for(*, method: str, path: str) -> str | None:
    """The service that owns `path` for `method`, or None (the gateway answers 404)."""
    if has_dot_segments(path):
        return None
    for route in ROUTES:
        if route.matches(method=method.upper(), path=path):
            return route.service
    return None


def is_signed_media_path(path: str) -> bool:
    return path.startswith(SIGNED_MEDIA_PREFIX) and not has_dot_segments(path)
