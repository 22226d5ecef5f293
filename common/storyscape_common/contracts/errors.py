"""The error body every service answers with, as an OpenAPI model routes declare in `responses=`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `invalid_request`, `not_found`, `rate_limited`")
    message: str = Field(description="What went wrong, for people")
    request_id: str = Field(description="The request's X-Request-ID, for support")


class ErrorBody(BaseModel):
    """`{"error": {"code", "message", "request_id"}}`: the shape of every 4xx and 5xx."""

    error: ErrorDetail


DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or invalid credentials",
    403: "Not allowed for this caller",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Rate limited (see Retry-After)",
    500: "Internal error",
    502: "An upstream service failed",
    503: "Unavailable (see Retry-After where given)",
    504: "An upstream service timed out",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for these statuses, each with the error model (for a route's OpenAPI document)."""
    return {status: {"model": ErrorBody, "description": DESCRIPTIONS.get(status, "Error")} for status in statuses}
