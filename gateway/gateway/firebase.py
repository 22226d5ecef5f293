"""Firebase ID-token verification with firebase-admin, off the event loop, revocation included, cached briefly."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import firebase_admin
from firebase_admin import auth, exceptions
from prometheus_client import CollectorRegistry, Counter, Histogram

from gateway.settings import Settings
from storyscape_common.errors import ApiError
from storyscape_common.firebase_project import firebase_app

logger = logging.getLogger("gateway.firebase")

# Real ID tokens are about 1 KB; custom claims are capped at 1000 bytes. Anything far larger is not one.
MAX_TOKEN_LENGTH = 8192
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
# Firebase ID tokens live an hour; with the clock skew we allow, none issued before a deletion outlives this.
ID_TOKEN_LIFETIME_SECONDS = 3600 + 60
# What the user lookup behind `check_revoked` needs (Identity Toolkit's accounts:lookup).


@dataclass(frozen=True)
class FirebaseUser:
    """A user whose Firebase ID token the SDK verified."""

    uid: str
    claims: dict[str, Any]


def unauthenticated(message: str) -> ApiError:
    return ApiError(401, "unauthenticated", message, headers=BEARER_CHALLENGE)


def cannot_verify() -> ApiError:
    # Not a 401: the app would sign the user out for what is our outage.
    return ApiError(503, "upstream_unavailable", "cannot verify tokens right now", headers={"Retry-After": "1"})


class VerifiedTokenCache:
    """Bounded LRU of verified ID tokens, keyed by their SHA-256, each kept for `ttl_seconds` at most (never past
    its own `exp`).

    A client sends the same ID token for up to an hour. A miss costs the signature check (~0.7 ms) and the user
    lookup that revocation needs (a call to Firebase); a hit costs a hash. The TTL is how long a disabled or revoked
    user may still be served: each entry is checked again, revocation included, once it is that old.
    """

    def __init__(self, max_entries: int, ttl_seconds: float) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
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
        now = time.time()
        expires_at = min(float(user.claims.get("exp", 0)), now + self.ttl_seconds)
        if self.max_entries == 0 or now >= expires_at or self.is_deleted(user.uid):
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


class TokenMetrics:
    """How often a token is answered from the cache, and what a full check costs (its hit rate is on /metrics)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.checks = Counter(
            "gateway_firebase_token_checks",
            "Firebase ID tokens presented, by how they were answered (cache_hit, verified, refused, unavailable)",
            ["result"],
            registry=registry,
        )
        self.verify_seconds = Histogram(
            "gateway_firebase_verify_seconds",
            "Time of one full check on a cache miss: signature, claims and (with check_revoked) the user lookup",
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )


class FirebaseVerifier:
    """Owns one firebase-admin app and verifies ID tokens with it, in threads of its own."""

    def __init__(self, *, settings: Settings, registry: CollectorRegistry | None = None) -> None:
        self.app = firebase_app(settings, name="gateway")
        self.clock_skew_seconds = settings.firebase_clock_skew_seconds
        self.check_revoked = settings.firebase_check_revoked
        self.cache = VerifiedTokenCache(settings.firebase_token_cache_size, settings.firebase_token_cache_seconds)
        # The lookup waits on the network: its own threads, so a slow Firebase cannot starve the loop's default
        # executor (aiohttp resolves upstream host names there).
        self.executor = ThreadPoolExecutor(settings.firebase_verify_threads, thread_name_prefix="firebase-verify")
        self.in_flight: dict[bytes, asyncio.Future[FirebaseUser]] = {}
        self.metrics = TokenMetrics(registry or CollectorRegistry())

    def verify_blocking(self, token: str) -> FirebaseUser:
        """Signature, expiry, audience, issuer, subject, and (check_revoked) that the user is neither disabled
        nor signed out everywhere since the token was issued; a 401 ApiError if any fails, 503 if we cannot tell."""
        try:
            claims = auth.verify_id_token(token, app=self.app, check_revoked=self.check_revoked, clock_skew_seconds=self.clock_skew_seconds)
        except auth.UserDisabledError as exc:
            raise unauthenticated("this account is disabled") from exc
        except auth.RevokedIdTokenError as exc:
            raise unauthenticated("this ID token has been revoked; sign in again") from exc
        except auth.UserNotFoundError as exc:
            raise unauthenticated("this account no longer exists") from exc
        except (auth.InvalidIdTokenError, ValueError) as exc:
            raise unauthenticated("invalid or expired ID token") from exc
        except (auth.CertificateFetchError, exceptions.FirebaseError) as exc:
            # Google's certs or the user lookup unreachable, or our credentials refused: our outage, not the user's.
            fields = {"error": type(exc).__name__, "detail": str(exc)[:200]}
            logger.warning("could not verify a Firebase ID token", extra={"fields": fields})
            raise cannot_verify() from exc
        except Exception as exc:
            logger.warning("ID token refused by an unexpected check", extra={"fields": {"error": type(exc).__name__}})
            raise unauthenticated("invalid ID token") from exc
        if self.cache.is_deleted(str(claims["uid"])):
            raise unauthenticated("this account has been deleted")
        return FirebaseUser(uid=str(claims["uid"]), claims=dict(claims))

    async def verify(self, token: str) -> FirebaseUser:
        """A token checked less than the cache's TTL ago at once; else the full check in a thread (the SDK blocks).
        Concurrent requests with the same new token share one check; refusals are not cached."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise unauthenticated("invalid ID token")
        key = self.cache.key(token)
        cached = self.cache.get(key)
        if cached is not None:
            self.metrics.checks.labels("cache_hit").inc()
            return cached
        pending = self.in_flight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self.check(key, token))
            self.in_flight[key] = pending
            pending.add_done_callback(lambda done: self.settle(key, done))
        # Shielded: one caller hanging up must not cancel the check the others are waiting for.
        return await asyncio.shield(pending)

    def settle(self, key: bytes, done: asyncio.Future[FirebaseUser]) -> None:
        self.in_flight.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here: every caller may have hung up before the check ended

    async def check(self, key: bytes, token: str) -> FirebaseUser:
        started = time.perf_counter()
        try:
            user = await asyncio.get_running_loop().run_in_executor(self.executor, self.verify_blocking, token)
        except ApiError as error:
            self.metrics.checks.labels("unavailable" if error.status >= 500 else "refused").inc()
            raise
        finally:
            self.metrics.verify_seconds.observe(time.perf_counter() - started)
        self.metrics.checks.labels("verified").inc()
        self.cache.put(key, user)
        return user

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        firebase_admin.delete_app(self.app)


def bearer_token(authorization: str | None) -> str:
    """The token from an `Authorization: Bearer …` header, or a 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("missing bearer token")
    return token.strip()
