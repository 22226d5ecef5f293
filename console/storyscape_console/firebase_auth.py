"""Firebase Auth over its REST API, as the app's SDK does it: sign up, sign in, refresh before expiry.

With an emulator host the calls go to the Firebase Auth emulator; otherwise to Google with a web API key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

GOOGLE_IDENTITY = "https://identitytoolkit.googleapis.com"
GOOGLE_TOKENS = "https://securetoken.googleapis.com"
REFRESH_MARGIN_SECONDS = 300


class AuthError(Exception):
    """Firebase refused (wrong password, email taken, …); the message is Firebase's code, readable."""


@dataclass
class FirebaseSession:
    email: str
    id_token: str
    refresh_token: str
    expires_at: float

    def expiring(self) -> bool:
        return time.time() > self.expires_at - REFRESH_MARGIN_SECONDS


@dataclass(frozen=True)
class FirebaseAuth:
    api_key: str = "console-demo-key"
    emulator_host: str = ""

    def identity_url(self, method: str) -> str:
        base = f"http://{self.emulator_host}/identitytoolkit.googleapis.com" if self.emulator_host else GOOGLE_IDENTITY
        return f"{base}/v1/accounts:{method}?key={self.api_key}"

    def token_url(self) -> str:
        base = f"http://{self.emulator_host}/securetoken.googleapis.com" if self.emulator_host else GOOGLE_TOKENS
        return f"{base}/v1/token?key={self.api_key}"

    def _session(self, email: str, body: dict[str, str]) -> FirebaseSession:
        return FirebaseSession(
            email=email,
            id_token=body["idToken"],
            refresh_token=body["refreshToken"],
            expires_at=time.time() + int(body.get("expiresIn", "3600")),
        )

    def _post(self, url: str, **kwargs: object) -> dict[str, str]:
        response = httpx.post(url, timeout=15, **kwargs)  # type: ignore[arg-type]
        if response.status_code != 200:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {response.status_code}"
            raise AuthError(message.replace("_", " ").lower())
        body: dict[str, str] = response.json()
        return body

    def sign_up(self, email: str, password: str) -> FirebaseSession:
        body = self._post(self.identity_url("signUp"), json={"email": email, "password": password, "returnSecureToken": True})
        return self._session(email, body)

    def sign_in(self, email: str, password: str) -> FirebaseSession:
        body = self._post(self.identity_url("signInWithPassword"), json={"email": email, "password": password, "returnSecureToken": True})
        return self._session(email, body)

    def refreshed(self, session: FirebaseSession) -> FirebaseSession:
        """A fresh ID token when the current one is close to expiry; the same session otherwise."""
        if not session.expiring():
            return session
        body = self._post(self.token_url(), data={"grant_type": "refresh_token", "refresh_token": session.refresh_token})
        return FirebaseSession(
            email=session.email,
            id_token=body["id_token"],
            refresh_token=body["refresh_token"],
            expires_at=time.time() + int(body.get("expires_in", "3600")),
        )
