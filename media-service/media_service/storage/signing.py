"""HMAC-SHA256 signatures for the local store's object URLs: the signature is the authorisation."""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from media_service.storage.errors import SignedUrlRefused


class UrlSigner:
    """Signs `(key, expiry)` pairs and checks them, so a link opens one object until its expiry."""

    def __init__(self, *, secret: str) -> None:
        if not secret:
            raise ValueError("a URL signing secret is required")
        self._secret = secret.encode()

    def signature(self, *, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, *, key: str, expires_in: int) -> tuple[int, str]:
        """The expiry (unix seconds, rounded up so the link lives at least `expires_in`) and its signature."""
        expires = math.ceil(time.time() + expires_in)
        return expires, self.signature(key=key, expires=expires)

    def verify(self, *, key: str, expires: str | None, signature: str | None) -> None:
        """Raise SignedUrlRefused unless `signature` signs `key` and `expires` and that time has not passed."""
        if not expires or not signature:
            raise SignedUrlRefused("missing signature")
        try:
            expiry = int(expires)
        except ValueError:
            raise SignedUrlRefused("invalid signature") from None
        if not hmac.compare_digest(signature.encode(), self.signature(key=key, expires=expiry).encode()):
            raise SignedUrlRefused("invalid signature")
        if time.time() >= expiry:
            raise SignedUrlRefused("link expired")
