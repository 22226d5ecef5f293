"""The object-store interface every implementation (local directory, S3) fulfils."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from media_service.storage.errors import InvalidContentType, InvalidObjectKey

MAX_KEY_LENGTH = 1024  # S3's limit, applied everywhere so keys move between stores
MAX_SEGMENT_LENGTH = 255  # a file name's limit on common file systems
MAX_URL_EXPIRY_SECONDS = 7 * 24 * 3600  # S3's limit for SigV4 presigned URLs
# Each path segment starts with a letter or digit: no `.`/`..`, no hidden files, no temp-file clashes.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(;[ \x21-\x7e]*)?")


@dataclass(frozen=True, slots=True)
class StoredObject:
    data: bytes
    content_type: str


def validate_key(key: str) -> str:
    """Return `key` if it is a safe relative path of `[A-Za-z0-9._-]` segments, else raise InvalidObjectKey."""
    if not key or len(key.encode()) > MAX_KEY_LENGTH:
        raise InvalidObjectKey(f"must be 1..{MAX_KEY_LENGTH} bytes")
    for segment in key.split("/"):
        if len(segment) > MAX_SEGMENT_LENGTH:
            raise InvalidObjectKey(f"each segment must be at most {MAX_SEGMENT_LENGTH} characters")
        if not _SEGMENT.fullmatch(segment):
            raise InvalidObjectKey("segments must start with a letter or digit and use only A-Z a-z 0-9 . _ -")
    return key


def validate_prefix(prefix: str) -> str:
    """Return `prefix` if it is a valid key followed by `/` (a folder of keys), else raise InvalidObjectKey."""
    if not prefix.endswith("/"):
        raise InvalidObjectKey("a prefix ends with /")
    validate_key(prefix[:-1])
    return prefix


def validate_content_type(content_type: str) -> str:
    """Return `content_type` if it is a plain `type/subtype[; params]` of at most 255 printable characters."""
    if len(content_type) > 255 or not _CONTENT_TYPE.fullmatch(content_type):
        raise InvalidContentType()
    return content_type


def validate_expiry(expires_in: int) -> int:
    """URL lifetimes are 1 second to 7 days, as S3 allows."""
    if not 1 <= expires_in <= MAX_URL_EXPIRY_SECONDS:
        raise ValueError(f"expires_in must be 1..{MAX_URL_EXPIRY_SECONDS} seconds")
    return expires_in


class ObjectStore(ABC):
    """Keyed bytes with a content type, and time-limited URLs a client can fetch them from."""

    async def start(self) -> None:  # noqa: B027 - optional hook; most stores have nothing to open
        """Open connections or directories; called once when the app starts."""

    async def close(self) -> None:  # noqa: B027 - optional hook, like start()
        """Release what `start` opened."""

    @abstractmethod
    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store `data` under `key`, replacing any object there."""

    @abstractmethod
    async def get(self, key: str) -> StoredObject:
        """The object under `key`; ObjectNotFound if there is none."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object under `key`; deleting a missing object is not an error (as in S3)."""

    @abstractmethod
    async def keys(self, prefix: str) -> list[str]:
        """Every key stored under `prefix` (a folder of keys, ending in `/`), in no particular order."""

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    @abstractmethod
    async def url(self, key: str, *, expires_in: int) -> str:
        """A URL that serves the object to anyone holding it, for `expires_in` seconds."""

    @abstractmethod
    async def check(self) -> None:
        """Raise if the store cannot be used (readiness)."""
