"""The gateway's public API as the console calls it, with a record of every request for the developer panel."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=30.0, pool=5.0)


@dataclass
class RequestRecord:
    """What a developer wants to see about one call: ids, status, timing, the raw stream, the error body."""

    method: str
    path: str
    request_id: str
    started: float = field(default_factory=time.time)
    status: int | None = None
    duration_ms: float | None = None
    error_body: Any = None
    events: list[tuple[str, str]] = field(default_factory=list)
    ttft_ms: float | None = None
    deltas: int = 0
    stream_seconds: float | None = None

    @property
    def pieces_per_second(self) -> float | None:
        if not self.deltas or not self.stream_seconds:
            return None
        return self.deltas / self.stream_seconds


@dataclass
class ApiResult:
    status: int
    body: Any
    record: RequestRecord
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 or self.status == 304

    @property
    def unavailable(self) -> bool:
        """The gateway does not offer this (yet): the console shows it as unavailable instead of failing."""
        error = self.body.get("error", {}) if isinstance(self.body, dict) else {}
        unrouted = error.get("message") in ("no such path", "Not Found", "Method Not Allowed", "method not allowed")
        return self.status == 501 or (self.status in (404, 405) and unrouted)

    def error_message(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return f"{self.body['error'].get('code')}: {self.body['error'].get('message')}"
        return f"HTTP {self.status}"


class GatewayClient:
    """One gateway (local or deployed); `token` is called for a fresh Firebase ID token on every request."""

    def __init__(self, base_url: str, token: Callable[[], str | None], log: list[RequestRecord]) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.log = log
        # Idle connections go after 2 s, before the gateway's own keep-alive timeout (5 s) closes them under a request.
        self.http = httpx.Client(base_url=self.base_url, timeout=TIMEOUT, limits=httpx.Limits(keepalive_expiry=2.0))

    def headers(self, request_id: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Request-ID": request_id, **(extra or {})}
        token = self.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def call(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> ApiResult:
        record = RequestRecord(method, path, uuid.uuid4().hex)
        self.log.append(record)
        started = time.perf_counter()
        try:
            response = self.http.request(method, path, headers=self.headers(record.request_id, headers), **kwargs)
        except httpx.HTTPError as exc:
            record.status, record.error_body = 0, f"{type(exc).__name__}: {exc}"
            return ApiResult(0, {"error": {"code": "connection_failed", "message": str(exc)}}, record)
        record.status = response.status_code
        record.duration_ms = (time.perf_counter() - started) * 1000
        record.request_id = response.headers.get("x-request-id", record.request_id)
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = response.text
        if response.status_code >= 400:
            record.error_body = body
        return ApiResult(response.status_code, body, record, dict(response.headers))

    def stream_story(self, *, data: dict[str, Any] | None = None, files: dict[str, Any] | None = None) -> Iterator[tuple[str, Any]]:
        """(event, payload) pairs of `POST /v1/stories` as they arrive; an HTTP error arrives as ("http_error", body)."""
        record = RequestRecord("POST", "/v1/stories", uuid.uuid4().hex)
        self.log.append(record)
        started = time.perf_counter()
        kwargs: dict[str, Any] = {"data": data, "files": files} if files else {"json": data}
        headers = self.headers(record.request_id, {"Accept": "text/event-stream"})
        try:
            with self.http.stream("POST", "/v1/stories", headers=headers, **kwargs) as response:
                record.status = response.status_code
                record.request_id = response.headers.get("x-request-id", record.request_id)
                if response.status_code != 200:
                    response.read()
                    record.error_body = safe_json(response.text)
                    yield "http_error", record.error_body
                    return
                yield from self._events(response, record, started)
        except httpx.HTTPError as exc:
            record.error_body = f"{type(exc).__name__}: {exc}"
            yield "http_error", {"error": {"code": "connection_failed", "message": str(exc)}}
        finally:
            record.duration_ms = (time.perf_counter() - started) * 1000

    def _events(self, response: httpx.Response, record: RequestRecord, started: float) -> Iterator[tuple[str, Any]]:
        name, data = "message", []
        first_delta_at: float | None = None
        for line in response.iter_lines():
            if line.startswith(":"):
                continue
            if line:
                key, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if key == "event":
                    name = value
                elif key == "data":
                    data.append(value)
                continue
            if not data:
                continue
            raw = "\n".join(data)
            record.events.append((name, raw))
            if name == "story.delta":
                now = time.perf_counter()
                if first_delta_at is None:
                    first_delta_at = now
                    record.ttft_ms = (now - started) * 1000
                record.deltas += 1
                record.stream_seconds = now - first_delta_at
            yield name, safe_json(raw)
            name, data = "message", []


def safe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
