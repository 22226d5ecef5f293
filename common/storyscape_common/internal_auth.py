"""Internal identity: short-lived Ed25519 JWTs signed by the gateway (and story-service), checked by every service."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

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


class InternalTokenSigner:
    """Mints tokens for one caller (the gateway, story-service) with its private key."""

    def __init__(self, *, private_key_pem: str, issuer: str, ttl_seconds: int = 120) -> None:
        if ttl_seconds > MAX_TTL_SECONDS:
            raise ValueError(f"internal tokens live at most {MAX_TTL_SECONDS} s")
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the internal signing key must be an Ed25519 private key")
        self._key = key
        self.issuer = ISSUER_PREFIX + issuer
        self.ttl_seconds = ttl_seconds

    def sign(self, *, user_id: str, audience: str, request_id: str) -> str:
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
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)


class InternalTokenVerifier:
    """Checks tokens addressed to one service with the shared public key."""

    def __init__(self, *, public_key_pem: str, audience: str) -> None:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the internal public key must be an Ed25519 public key")
        self._key = key
        self.audience = audience

    def verify(self, token: str) -> Identity:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "iat", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidInternalToken(str(exc)) from exc
        if claims["exp"] - claims["iat"] > MAX_TTL_SECONDS:
            raise InvalidInternalToken("token lifetime exceeds the internal maximum")
        issuer, subject = str(claims["iss"]), str(claims["sub"])
        if not issuer.startswith(ISSUER_PREFIX) or not subject:
            raise InvalidInternalToken("token is not an internal identity")
        return Identity(user_id=subject, request_id=str(claims.get("rid", "")), issuer=issuer, token=token)


def generate_key_pair() -> tuple[str, str]:
    """A fresh Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


def ensure_dev_key_pair(directory: Path) -> tuple[Path, Path]:
    """Create `internal_ed25519.pem` and `.pub.pem` in `directory` unless they exist (dev only)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / "internal_ed25519.pem", directory / "internal_ed25519.pub.pem"
    if not private_path.exists() or not public_path.exists():
        private_pem, public_pem = generate_key_pair()
        private_path.write_text(private_pem)
        private_path.chmod(0o600)
        public_path.write_text(public_pem)
    return private_path, public_path


if __name__ == "__main__":
    import sys

    for path in ensure_dev_key_pair(Path(sys.argv[1] if len(sys.argv) > 1 else ".data/keys")):
        print(path)
