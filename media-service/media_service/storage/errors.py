"""Object-store failures, as the API errors a client sees."""

from __future__ import annotations

from storyscape_common.errors import ApiError


class ObjectStoreError(ApiError):
    """Any failure of the object store; the app's error handler renders it in the API shape."""


class InvalidObjectKey(ObjectStoreError):
    def __init__(self, reason: str) -> None:
        super().__init__(400, "invalid_request", f"invalid object key: {reason}")


class InvalidContentType(ObjectStoreError):
    def __init__(self) -> None:
        super().__init__(400, "invalid_request", "invalid content type")


class ObjectNotFound(ObjectStoreError):
    def __init__(self) -> None:
        super().__init__(404, "not_found", "object not found")


class ObjectKeyConflict(ObjectStoreError):
    """The local store cannot hold both `a` and `a/b`: one would be a file and a directory at once."""

    def __init__(self) -> None:
        super().__init__(409, "conflict", "object key clashes with an existing object's path")


class SignedUrlRefused(ObjectStoreError):
    def __init__(self, reason: str) -> None:
        super().__init__(403, "forbidden", reason)


class ObjectStoreUnavailable(ObjectStoreError):
    def __init__(self, reason: str = "object store unavailable") -> None:
        super().__init__(503, "upstream_unavailable", reason)


class ObjectStoreAccessDenied(ObjectStoreUnavailable):
    """The store refused our own credentials: our misconfiguration, so the client sees 503, not 403."""

    def __init__(self) -> None:
        super().__init__("object store refused our credentials")
