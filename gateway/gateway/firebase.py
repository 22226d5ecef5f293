"""Firebase ID-token verification with firebase-admin, off the event loop, cached until each token expires."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import firebase_admin
from firebase_admin import auth
from google.auth.credentials import AnonymousCredentials

from gateway.settings import EMULATOR_HOST_VARIABLE, Settings
from storyscape_common.errors import ApiError

logger = logging.getLogger("gateway.firebase")

# Real ID tokens are about 1 KB; custom claims are capped at 1000 bytes. Anything far larger is not one.
MAX_TOKEN_LENGTH = 8192
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
# Firebase ID tokens live an hour; with the clock skew we allow, none issued before a deletion outlives this.
ID_TOKEN_LIFETIME_SECONDS = 3600 + 60


@dataclass(frozen=True)
class FirebaseUser:
    """A user whose Firebase ID token the SDK verified."""

    uid: str
    claims: dict[str, Any]


def unauthenticated(message: str) -> ApiError:
    return ApiError(401, "unauthenticated", message, headers=BEARER_CHALLENGE)


class VerifiedTokenCache:
    """Bounded LRU of verified ID tokens, keyed by their SHA-256, each kept only until its own `exp`.

    A client sends the same ID token for up to an hour; verifying it costs ~0.7 ms (RS256 and the SDK's checks),
    a hit costs a hash. Revocation is not checked on either path (the SDK's `check_revoked` is a network call per
    request), so caching loses nothing there; a route that must see revocations at once has to check it itself.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[bytes, tuple[FirebaseUser, float]] = OrderedDict()
        self.deleted_users: dict[str, float] = {}  # uid → until when none of its tokens is accepted here

    @staticmethod
    def key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, key: bytes) -> FirebaseUser | None:
        found = self.entries.get(key)
        if found is None:
            return None
        user, expires_at = found
        if time.time() >= expires_at:
            del self.entries[key]
            return None
        self.entries.move_to_end(key)
        return user

    def put(self, key: bytes, user: FirebaseUser) -> None:
        expires_at = float(user.claims.get("exp", 0))
        if self.max_entries == 0 or time.time() >= expires_at or self.is_deleted(user.uid):
            return
        self.entries[key] = (user, expires_at)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    def forget_user(self, uid: str) -> None:
        """The account is being deleted: drop its cached tokens and accept none of its tokens here for as long as an
        ID token lives, whatever Firebase still answers in the moment before the deletion job removes the user."""
        for key in [key for key, (user, _) in self.entries.items() if user.uid == uid]:
            del self.entries[key]
        now = time.time()
        self.deleted_users = {user: until for user, until in self.deleted_users.items() if until > now}
        self.deleted_users[uid] = now + ID_TOKEN_LIFETIME_SECONDS

    def is_deleted(self, uid: str) -> bool:
        return self.deleted_users.get(uid, 0.0) > time.time()


class FirebaseVerifier:
    """Owns one firebase-admin app and verifies ID tokens with it."""

    def __init__(self, *, settings: Settings) -> None:
        if settings.firebase_auth_emulator_host:
            # The SDK reads only the process environment; Settings has already refused non-demo projects.
            os.environ.setdefault(EMULATOR_HOST_VARIABLE, settings.firebase_auth_emulator_host)
        # Verification needs only Google's public certs. Anonymous credentials never fetch anything, where
        # the default (Application Default Credentials) probes the metadata server and stalls offline.
        self.app = firebase_admin.initialize_app(
            AnonymousCredentials(),
            {"projectId": settings.firebase_project_id, "httpTimeout": settings.firebase_http_timeout_seconds},
            name=f"gateway-{uuid.uuid4().hex}",
        )
        self.clock_skew_seconds = settings.firebase_clock_skew_seconds
        self.cache = VerifiedTokenCache(settings.firebase_token_cache_size)

    def verify_blocking(self, token: str) -> FirebaseUser:
        """Check signature, expiry, audience, issuer and subject; raise a 401 ApiError if any fails."""
        try:
            claims = auth.verify_id_token(token, app=self.app, clock_skew_seconds=self.clock_skew_seconds)
        except auth.CertificateFetchError as exc:
            logger.warning("could not fetch Firebase certificates", extra={"fields": {"error": str(exc)}})
            raise ApiError(503, "upstream_unavailable", "cannot verify tokens right now") from exc
        except (auth.InvalidIdTokenError, ValueError) as exc:
            raise unauthenticated("invalid or expired ID token") from exc
        except Exception as exc:
            logger.warning("ID token refused by an unexpected check", extra={"fields": {"error": type(exc).__name__}})
            raise unauthenticated("invalid ID token") from exc
        if self.cache.is_deleted(str(claims["uid"])):
            raise unauthenticated("this account has been deleted")
        return FirebaseUser(uid=str(claims["uid"]), claims=dict(claims))

    async def verify(self, token: str) -> FirebaseUser:
        """A token verified before and not yet expired at once; else the full check, in a thread: the SDK
        blocks (and may fetch certificates). Refusals are not cached, so a bad token costs a check each time."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise unauthenticated("invalid ID token")
        key = self.cache.key(token)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        user = await asyncio.to_thread(self.verify_blocking, token)
        self.cache.put(key, user)
        return user

    def close(self) -> None:
        firebase_admin.delete_app(self.app)


def bearer_token(authorization: str | None) -> str:
    """The token from an `Authorization: Bearer …` header, or a 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("missing bearer token")
    return token.strip()
