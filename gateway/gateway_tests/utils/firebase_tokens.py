"""Mints Firebase-style RS256 ID tokens with a test key, and the X.509 cert that verifies them."""

from __future__ import annotations

import base64
import datetime
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def self_signed_cert(key: rsa.RSAPrivateKey) -> str:
    """A one-day X.509 certificate for `key`, as Google publishes its token-signing keys."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass(frozen=True)
class FirebaseTestIssuer:
    """Plays Google's securetoken service for one project: one RSA key, known to verifiers by `kid`."""

    project_id: str
    kid: str
    private_pem: str
    cert_pem: str

    @classmethod
    def create(cls, *, project_id: str) -> FirebaseTestIssuer:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return cls(project_id=project_id, kid=uuid.uuid4().hex, private_pem=private_pem, cert_pem=self_signed_cert(key))

    def claims(self, *, uid: str, **overrides: Any) -> dict[str, Any]:
        """The claims of a fresh ID token for `uid`; `overrides` replace any of them."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": f"https://securetoken.google.com/{self.project_id}",
            "aud": self.project_id,
            "auth_time": now,
            "user_id": uid,
            "sub": uid,
            "iat": now,
            "exp": now + 3600,
            "firebase": {"identities": {}, "sign_in_provider": "password"},
        }
        return {**claims, **overrides}

    def token(self, *, uid: str = "user-1", kid: str | None = None, **overrides: Any) -> str:
        signer = crypt.RSASigner.from_string(self.private_pem, key_id=kid or self.kid)
        token: bytes = jwt.encode(signer, self.claims(uid=uid, **overrides))
        return token.decode()


def unsigned_token(*, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A JWT with no signature at all (`alg: none` style)."""
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}."


def with_claims(token: str, claims: dict[str, Any]) -> str:
    """`token` with its payload replaced and its original signature kept: a tampered token."""
    header, _, signature = token.split(".")
    return f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"


def service_account_json(project_id: str) -> str:
    """A service-account key file's JSON, as the Firebase console issues it (a fresh key nobody else knows)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return json.dumps(
        {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": uuid.uuid4().hex,
            "private_key": pem,
            "client_email": f"gateway@{project_id}.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )
