"""Internal identity: short-lived Ed25519 JWTs, one signing key per issuing service (`kid`), checked by every service."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from storyscape_common.registry import allowed_audiences

ALGORITHM = "EdDSA"
ISSUER_PREFIX = "storyscape:"
MAX_TTL_SECONDS = 300
CLOCK_SKEW_SECONDS = 5


class InvalidInternalToken(Exception):
    """The token is missing, malformed, expired, for another service, or not ours."""


@dataclass(frozen=True)
class Identity:
    """Who a request acts for: the verified Firebase uid, plus the request id it belongs to."""

    user_id: str
    request_id: str
    issuer: str
    token: str

    def issued_by(self, service_name: str) -> bool:
        """True when the token was signed with `service_name`'s own key (the key decides, not the claim)."""
        return self.issuer == ISSUER_PREFIX + service_name


class InternalTokenSigner:
    """Mints tokens for one issuer (the gateway, story-service, …) with that issuer's own private key."""

    def __init__(self, *, private_key_pem: str, issuer: str, ttl_seconds: int = 120) -> None:
        if ttl_seconds > MAX_TTL_SECONDS:
            raise ValueError(f"internal tokens live at most {MAX_TTL_SECONDS} s")
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the internal signing key must be an Ed25519 private key")
        self._key = key
        self.issuer = ISSUER_PREFIX + issuer
        self.kid = key_id(key.public_key())
        self.ttl_seconds = ttl_seconds
        self._header = _b64(json.dumps({"alg": ALGORITHM, "kid": self.kid, "typ": "JWT"}, separators=(",", ":")).encode())

    def sign(self, *, user_id: str, audience: str, request_id: str) -> str:
        """A compact JWS (RFC 7515) made directly: the gateway signs one per relayed request, and PyJWT's generic
        encoder cost twice as much as the signature itself. Verified with PyJWT like any other."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user_id,
            "aud": audience,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
            "rid": request_id,
        }
        return self.sign_claims(claims)

    def sign_claims(self, claims: Mapping[str, object]) -> str:
        """`claims` as a compact JWS under this issuer's key and `kid` (also for the gateway's account-deletion status
        tickets: their `aud` is no service, so no service takes one for an internal token)."""
        signing_input = self._header + "." + _b64(json.dumps(claims, separators=(",", ":")).encode())
        return signing_input + "." + _b64(self._key.sign(signing_input.encode("ascii")))

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class TrustedIssuer:
    """A key we accept, the one issuer it speaks for, and the audiences that issuer may address."""

    issuer: str
    public_key: Ed25519PublicKey
    audiences: frozenset[str]


def key_id(public_key: Ed25519PublicKey) -> str:
    """A stable id for a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("an internal public key must be an Ed25519 public key")
    return key


def trusted_issuers(public_keys: Mapping[str, str]) -> dict[str, TrustedIssuer]:
    """kid → trusted issuer, from issuer name → PEM; each issuer may address what the service registry allows."""
    trusted: dict[str, TrustedIssuer] = {}
    for issuer, pem in public_keys.items():
        key = load_public_key(pem)
        trusted[key_id(key)] = TrustedIssuer(ISSUER_PREFIX + issuer, key, allowed_audiences(issuer))
    return trusted


class InternalTokenVerifier:
    """Checks tokens addressed to one service: the `kid` picks the key, and the key decides the issuer.

    A token must carry a known `kid`, verify under that key, name the key's own issuer in `iss`, and be addressed
    (`aud`) to this service, which that issuer must be allowed to call. Nothing a token says about itself is
    trusted beyond what its key vouches for.
    """

    def __init__(self, *, trusted: Mapping[str, TrustedIssuer], audience: str) -> None:
        self._trusted = dict(trusted)
        self.audience = audience

    def verify(self, token: str) -> Identity:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise InvalidInternalToken(str(exc)) from exc
        trusted = self._trusted.get(kid) if isinstance(kid, str) else None
        if trusted is None:
            raise InvalidInternalToken("token is not signed by a trusted internal key")
        if self.audience not in trusted.audiences:
            raise InvalidInternalToken(f"{trusted.issuer} may not call {self.audience}")
        try:
            claims = jwt.decode(
                token,
                trusted.public_key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=trusted.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "iat", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidInternalToken(str(exc)) from exc
        if claims["exp"] - claims["iat"] > MAX_TTL_SECONDS:
            raise InvalidInternalToken("token lifetime exceeds the internal maximum")
        subject = str(claims["sub"])
        if not subject:
            raise InvalidInternalToken("token names no user")
        return Identity(user_id=subject, request_id=str(claims.get("rid", "")), issuer=trusted.issuer, token=token)


def generate_key_pair() -> tuple[str, str]:
    """A fresh Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


def write_private(path: Path, content: str) -> None:
    """Write a secret file that is never readable by others, not even for a moment (created 0600, then filled)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)


def ensure_dev_keys(directory: Path, issuers: tuple[str, ...]) -> dict[str, tuple[Path, Path]]:
    """Per issuer, `<issuer>.pem` (0600) and `public/<issuer>.pub.pem` in a 0700 `directory` (development only)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    public_dir = directory / "public"
    public_dir.mkdir(exist_ok=True)
    paths: dict[str, tuple[Path, Path]] = {}
    for issuer in issuers:
        private_path, public_path = directory / f"{issuer}.pem", public_dir / f"{issuer}.pub.pem"
        if not private_path.exists() or not public_path.exists():
            private_path.unlink(missing_ok=True)
            private_pem, public_pem = generate_key_pair()
            write_private(private_path, private_pem)
            public_path.write_text(public_pem, encoding="utf-8")
        paths[issuer] = (private_path, public_path)
    return paths


def read_public_keys(directory: Path) -> dict[str, str]:
    """issuer → PEM from the `<issuer>.pub.pem` files in `directory`."""
    suffix = ".pub.pem"
    return {path.name[: -len(suffix)]: path.read_text(encoding="utf-8") for path in sorted(directory.glob(f"*{suffix}")) if path.is_file()}


if __name__ == "__main__":
    import sys

    from storyscape_common.registry import SERVICES

    signers = tuple(info.issuer for info in SERVICES if info.may_address)
    for private_path, public_path in ensure_dev_keys(Path(sys.argv[1] if len(sys.argv) > 1 else ".data/keys"), signers).values():
        print(private_path, public_path)
