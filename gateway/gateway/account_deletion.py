"""Account deletion at the gateway: the status URL that `DELETE /v1/me` hands out.

The account's tokens stop working as soon as the deletion starts (the Firebase user is its first step), so the
status cannot be read with one. The URL carries a ticket instead: a JWS the gateway signs with its own Ed25519 key,
naming the user and expiring after `TICKET_DAYS`. It cannot be forged or guessed, says only "pending" or "done"
about an account that no longer signs in, and is no internal token (its `aud` names no service, and it lives far
longer than internal tokens may). Its route's OpenAPI operation says `security: []`, so the gateway's edge asks
for no ID token there.
"""

from __future__ import annotations

import time

import jwt

from storyscape_common.internal_auth import ALGORITHM, InternalTokenSigner

STATUS_PATH_PREFIX = "/v1/me/deletion/"
TICKET_AUDIENCE = "storyscape:account-deletion-status"
TICKET_DAYS = 30


class DeletionTickets:
    """Issues and reads status tickets with the gateway's own signing key (every gateway replica has the same)."""

    def __init__(self, signer: InternalTokenSigner) -> None:
        self.signer = signer

    def issue(self, user_id: str) -> str:
        now = int(time.time())
        claims = {"iss": self.signer.issuer, "aud": TICKET_AUDIENCE, "sub": user_id, "iat": now, "exp": now + TICKET_DAYS * 86400}
        return self.signer.sign_claims(claims)

    def user_of(self, ticket: str) -> str | None:
        """The user a valid, unexpired ticket names; None for anything else."""
        try:
            claims = jwt.decode(
                ticket,
                self.signer.public_key,
                algorithms=[ALGORITHM],
                audience=TICKET_AUDIENCE,
                issuer=self.signer.issuer,
                options={"require": ["iss", "aud", "sub", "exp"]},
            )
        except jwt.PyJWTError:
            return None
        subject = claims.get("sub")
        return subject if isinstance(subject, str) and subject else None
