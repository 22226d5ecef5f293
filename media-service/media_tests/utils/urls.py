"""Reading and editing signed URLs in tests (ours and S3's presigned ones)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**query_of(url), **changes})))


def tampered_signature(url: str) -> str:
    """The same URL with the last character of its signature changed."""
    query = query_of(url)
    name = "signature" if "signature" in query else "X-Amz-Signature"
    value = query[name]
    return with_query(url, **{name: value[:-1] + ("0" if value[-1] != "0" else "1")})


def seconds_until_expiry(url: str) -> float:
    """How long the URL has left, from our `expires` or S3's `X-Amz-Date` + `X-Amz-Expires`."""
    query = query_of(url)
    if "expires" in query:
        return int(query["expires"]) - time.time()
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    return signed_at + int(query["X-Amz-Expires"]) - time.time()
