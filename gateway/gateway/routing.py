"""Which service answers a public `/v1` path: the registry's table, first match wins."""

from __future__ import annotations

from urllib.parse import unquote

from storyscape_common.registry import PublicRoute, public_route_table

STORY_SERVICE = "story-service"
MEDIA_SERVICE = "media-service"
PROMPT_SERVICE = "prompt-service"
HISTORY_SERVICE = "history-service"

# Signed media URLs: their signature is their authorisation, media-service checks it.
SIGNED_MEDIA_PREFIX = "/v1/media/objects/"


# The table is the service registry's, narrow routes first (`/v1/stories/{id}/audio` before `/v1/stories`).
ROUTES: tuple[tuple[PublicRoute, str], ...] = public_route_table()


def has_dot_segments(path: str) -> bool:
    """True for `.`/`..` segments, encoded or not: the upstream client would resolve them past our prefixes."""
    decoded = unquote(unquote(path))
    return any(segment in (".", "..") for segment in decoded.replace("\\", "/").split("/"))


def service_for(*, method: str, path: str) -> str | None:
    """The service that owns `path` for `method`, or None (the gateway answers 404)."""
    if has_dot_segments(path):
        return None
    for route, service in ROUTES:
        if route.matches(method=method.upper(), path=path):
            return service
    return None


def is_signed_media_path(path: str) -> bool:
    return path.startswith(SIGNED_MEDIA_PREFIX) and not has_dot_segments(path)
