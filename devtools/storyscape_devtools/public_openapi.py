"""The gateway's one OpenAPI document: every public route of every service, built from the services' own schemas.

`python -m storyscape_devtools.public_openapi --write` regenerates `gateway/gateway/public_openapi.json` (what the
gateway serves at /openapi.json and /docs) and `docs/openapi.json` (the same, for readers of the repository).
A test regenerates it and fails when a service's schema has drifted from the checked-in document.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from storyscape_common.contracts.errors import DESCRIPTIONS
from storyscape_common.registry import GATEWAY, SERVICES, ServiceInfo, public_route_table
from storyscape_devtools.testing import new_test_keys

REPO_ROOT = Path(__file__).resolve().parents[2]
GATEWAY_COPY = REPO_ROOT / "gateway" / "gateway" / "public_openapi.json"
DOCS_COPY = REPO_ROOT / "docs" / "openapi.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
SSE_EVENTS = {
    "story.started": {"$ref": "#/components/schemas/StoryStartedEvent"},
    "story.delta": {"$ref": "#/components/schemas/StoryDeltaEvent"},
    "story.restarted": {"$ref": "#/components/schemas/StoryRestartedEvent"},
    "story.completed": {"$ref": "#/components/schemas/StoryCompletedEvent"},
    "story.image": {"$ref": "#/components/schemas/StoryImageEvent"},
    "error": {"$ref": "#/components/schemas/StreamErrorEvent"},
}


def service_app(info: ServiceInfo) -> FastAPI:
    """The service's app built with throwaway test settings (only its OpenAPI document is read)."""
    settings_module = importlib.import_module(f"{info.module}.settings")
    main_module = importlib.import_module(f"{info.module}.main")
    keys = new_test_keys()
    values: dict[str, Any] = {"environment": "development", "internal_public_keys": keys.public_keys}
    if info.may_address:
        values["internal_signing_key"] = keys.private_pem(info.issuer)
    app: FastAPI = main_module.create_app(settings_module.Settings(_env_file=None, **values))
    return app


def is_public(path: str, method: str, owner: str) -> bool:
    """True when the gateway routes `method path` (path parameters stand for one segment) to `owner`."""
    sample = "/".join("x-1" if segment.startswith("{") else segment for segment in path.split("/"))
    for route, service in public_route_table():
        if route.matches(method=method.upper(), path=sample):
            return service == owner
    return False


def sse_components() -> dict[str, Any]:
    """Schemas of each event's `data` on `POST /v1/stories`."""
    text = {"type": "string"}
    return {
        "StoryStartedEvent": {
            "type": "object",
            "required": ["story_id", "language", "mode", "model"],
            "properties": {
                "story_id": text,
                "language": {"type": "string", "enum": ["en", "hi"]},
                "mode": {"type": "string", "enum": ["prompt", "image_prompt"]},
                "model": text,
            },
        },
        "StoryDeltaEvent": {"type": "object", "required": ["text"], "properties": {"text": text}},
        "StoryRestartedEvent": {
            "type": "object",
            "required": ["reason"],
            "properties": {"reason": {"type": "string", "enum": ["content_blocked"]}},
            "description": "Discard the deltas so far: the story is being written again; the deltas that follow are the whole story",
        },
        "StoryCompletedEvent": {"type": "object", "required": ["story"], "properties": {"story": {"$ref": "#/components/schemas/Story"}}},
        "StoryImageEvent": {
            "type": "object",
            "required": ["story_id", "index", "url", "caption"],
            "properties": {"story_id": text, "index": {"type": "integer"}, "url": text, "caption": text},
        },
        "StreamErrorEvent": {"type": "object", "required": ["code", "message"], "properties": {"code": text, "message": text}},
    }


def describe_story_stream(operation: dict[str, Any]) -> None:
    """`POST /v1/stories` answers text/event-stream: name each event and its data schema."""
    ok = operation.setdefault("responses", {}).setdefault("200", {})
    ok["description"] = "Server-Sent Events, in order: " + ", ".join(f"`{name}`" for name in SSE_EVENTS) + " (each `data:` is JSON)"
    ok["content"] = {
        "text/event-stream": {
            "schema": {"type": "string", "description": "`event: <name>` and `data: <JSON>` lines per event; see x-events"},
            "x-events": SSE_EVENTS,
        }
    }


def add_gateway_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    """What the gateway itself may answer on any relayed route, besides what the owning service says."""
    statuses = [400, 401, 502, 503, 504]
    if method in ("post", "put", "patch"):
        statuses.append(413)
    if method == "post" and path == "/v1/stories":
        statuses.append(429)
    responses = operation.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(str(status), {"description": DESCRIPTIONS.get(status, "Error"), "content": ERROR_CONTENT})


def merged_document() -> dict[str, Any]:
    gateway_info = next(info for info in SERVICES if info.name == GATEWAY)
    gateway_app = service_app(gateway_info)
    # The gateway's own routes (e.g. /v1/home), not the merged document it serves.
    gateway_doc = get_openapi(title=gateway_app.title, version=gateway_app.version, routes=gateway_app.routes)
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for info in SERVICES:
        if not info.public_routes:
            continue
        document = service_app(info).openapi()
        for path, item in document.get("paths", {}).items():
            kept = {method: op for method, op in item.items() if method in METHODS and is_public(path, method, info.name)}
            if kept:
                paths.setdefault(path, {}).update(kept)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"schema {name!r} differs between services; give one of them another name")
            schemas[name] = schema
    for path, item in gateway_doc.get("paths", {}).items():
        if path.startswith("/v1/"):
            paths.setdefault(path, {}).update({m: op for m, op in item.items() if m in METHODS})
    schemas.update(gateway_doc.get("components", {}).get("schemas", {}))
    schemas.update(sse_components())
    if "post" in paths.get("/v1/stories", {}):
        describe_story_stream(paths["/v1/stories"]["post"])
    for path, item in paths.items():
        for method, operation in item.items():
            add_gateway_errors(path, method, operation)
        if path.startswith("/v1/media/objects/"):
            for operation in item.values():
                operation["security"] = []  # a signed URL is its own authorisation
    return {
        "openapi": gateway_doc.get("openapi", "3.1.0"),
        "info": {
            "title": "StoryScape API",
            "version": gateway_doc.get("info", {}).get("version", "0.1.0"),
            "description": "The public StoryScape API, as the gateway serves it. Every `/v1` request needs "
            "`Authorization: Bearer <Firebase ID token>` (signed media URLs excepted). Errors have one shape, "
            "`ErrorBody`. Built from each service's own schema; see docs/api.md for the flows.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"FirebaseIdToken": {"type": "http", "scheme": "bearer", "bearerFormat": "Firebase ID token (JWT)"}},
        },
        "security": [{"FirebaseIdToken": []}],
    }


def rendered() -> str:
    # Building the apps configures their JSON logging on stdout; keep stdout for the document.
    with contextlib.redirect_stdout(sys.stderr):
        document = merged_document()
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="write the gateway's and the docs' copies")
    args = parser.parse_args()
    text = rendered()
    if not args.write:
        print(text)
        return
    for path in (GATEWAY_COPY, DOCS_COPY):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(REPO_ROOT))


if __name__ == "__main__":
    main()
