"""The Firebase project a service talks to with firebase-admin (the gateway verifies ID tokens and looks users up;
story-service deletes users): its settings, the guards around the Auth emulator, and the firebase-admin app.

firebase-admin and google-auth are imported only by `firebase_app`, so services that never call Firebase do not
need them installed.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, ClassVar

from pydantic import AliasChoices, Field, model_validator

from storyscape_common.settings import ServiceSettings

EMULATOR_HOST_VARIABLE = "FIREBASE_AUTH_EMULATOR_HOST"
DEMO_PROJECT_PREFIX = "demo-"
# What verifying tokens with revocation checks, and deleting users, need through Identity Toolkit.
ADMIN_SCOPES = ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/identitytoolkit"]


class FirebaseProjectSettings(ServiceSettings):
    """Mixed into a service's Settings (`class Settings(SignerSettings, FirebaseProjectSettings)`)."""

    # Why the service needs admin credentials in production (the error message says it).
    firebase_credentials_needed_for: ClassVar[str] = "it calls Firebase"

    firebase_project_id: str = Field(default="demo-storyscape", description="Firebase project (ID tokens' `aud`/`iss`, its users)")
    # The SDK's own variable, read without our prefix so one setting drives both the SDK and the guard below.
    firebase_auth_emulator_host: str = Field(
        default="",
        validation_alias=AliasChoices(EMULATOR_HOST_VARIABLE, "firebase_auth_emulator_host"),
        description="The SDK's own variable: use the Auth emulator (development and tests, `demo-*` projects only)",
    )
    firebase_credentials: str = Field(
        default="",
        repr=False,
        description="Google credentials JSON (a service-account key) for Firebase Admin calls; required in production",
    )
    firebase_credentials_file: str = Field(default="", description="Path to that JSON, if not given inline")
    firebase_http_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one call to Firebase or Google's certificates")

    @model_validator(mode="after")
    def _refuse_emulator_for_real_projects(self) -> FirebaseProjectSettings:
        # Emulator tokens are unsigned and the SDK skips signature and expiry checks for them.
        if self.environment not in ("development", "test"):
            if self.emulator_host():
                raise ValueError(f"{EMULATOR_HOST_VARIABLE} is set: the auth emulator is for development only")
            if self.firebase_project_id.startswith(DEMO_PROJECT_PREFIX):
                name = self.setting_name("firebase_project_id")
                raise ValueError(f"{name} is a {DEMO_PROJECT_PREFIX}* emulator project; set the real Firebase project id")
        if self.environment == "production" and not (self.firebase_credentials or self.firebase_credentials_file):
            name = self.setting_name("firebase_credentials")
            raise ValueError(f"{name} (or _FILE) is required in production: {self.firebase_credentials_needed_for}")
        if self.emulator_host() and not self.firebase_project_id.startswith(DEMO_PROJECT_PREFIX):
            raise ValueError(
                f"{EMULATOR_HOST_VARIABLE} is set but firebase_project_id {self.firebase_project_id!r} "
                f"does not start with {DEMO_PROJECT_PREFIX!r}; refusing to use the emulator"
            )
        return self

    def secret_fields(self) -> tuple[str, ...]:
        return (*super().secret_fields(), "firebase_credentials")

    def emulator_host(self) -> str:
        """The auth emulator in use: this setting, or the variable the SDK itself reads."""
        return self.firebase_auth_emulator_host or os.environ.get(EMULATOR_HOST_VARIABLE, "")

    def firebase_credentials_info(self) -> dict[str, Any] | None:
        """The admin credentials JSON, inline or read from its file; None when neither is set."""
        text = self.firebase_credentials or (
            Path(self.firebase_credentials_file).read_text(encoding="utf-8") if self.firebase_credentials_file else ""
        )
        if not text:
            return None
        info: dict[str, Any] = json.loads(text)
        return info


def firebase_app(settings: FirebaseProjectSettings, *, name: str) -> Any:
    """A firebase-admin app of its own (named `name-<random>`, so tests can start several) for this project."""
    import firebase_admin
    from google.auth.credentials import AnonymousCredentials
    from google.oauth2 import service_account

    if settings.firebase_auth_emulator_host:
        # The SDK reads only the process environment; the settings have already refused non-demo projects.
        os.environ.setdefault(EMULATOR_HOST_VARIABLE, settings.firebase_auth_emulator_host)
    info = settings.firebase_credentials_info()
    # Anonymous where none is needed (the emulator takes any caller; signature checks need only Google's public
    # certificates): Application Default Credentials would probe the metadata server and stall offline.
    # A service-account key only: google.auth's generic loader would also run external credential configs, which
    # it warns against for configuration that is not fully trusted.
    credentials = (
        AnonymousCredentials() if info is None else service_account.Credentials.from_service_account_info(info, scopes=ADMIN_SCOPES)
    )
    options = {"projectId": settings.firebase_project_id, "httpTimeout": settings.firebase_http_timeout_seconds}
    return firebase_admin.initialize_app(credentials, options, name=f"{name}-{uuid.uuid4().hex}")
