"""Opaque keyset cursors: the (created_at, id) of the last row on a page (stories, saved prompts, …)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from storyscape_common.errors import ApiError


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: str


def encode_cursor(cursor: Cursor) -> str:
    payload = json.dumps({"t": cursor.created_at.astimezone(UTC).isoformat(), "id": cursor.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> Cursor:
    """Parse a cursor we issued; anything else is the client's mistake (400)."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        payload = json.loads(raw)
        created_at = datetime.fromisoformat(payload["t"])
        row_id = str(uuid.UUID(payload["id"]))
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise ApiError(400, "invalid_request", "cursor is not valid; start again without one") from None
    if created_at.tzinfo is None:
        raise ApiError(400, "invalid_request", "cursor is not valid; start again without one")
    return Cursor(created_at=created_at.astimezone(UTC), id=row_id)
