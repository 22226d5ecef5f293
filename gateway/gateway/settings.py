"""Gateway settings: Firebase project, internal signing key, upstream services and their timeouts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from storyscape_common.registry import GATEWAY, HISTORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE, STORY_SERVICE, service
from storyscape_common.settings import SignerSettings, local_url

EMULATOR_HOST_VARIABLE = "FIREBASE_AUTH_EMULATOR_HOST"
DEMO_PROJECT_PREFIX = "demo-"


class Settings(SignerSettings):
    """Everything the gateway reads from `GATEWAY_*` variables (and the SDK's own emulator variable)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    # The gateway verifies Firebase ID tokens; it only signs internal ones.
    verifies_internal_tokens: ClassVar[bool] = False

    service_name: str = GATEWAY
    port: int = service(GATEWAY).default_port

    firebase_project_id: str = Field(default="demo-storyscape", description="Firebase project whose ID tokens are accepted (`aud`/`iss`)")
    # The SDK's own variable, read without our prefix so one setting drives both the SDK and this guard.
    firebase_auth_emulator_host: str = Field(
        default="",
        validation_alias=AliasChoices(EMULATOR_HOST_VARIABLE, "firebase_auth_emulator_host"),
        description="The SDK's own variable: accept the Auth emulator's unsigned tokens (development, `demo-*` projects only)",
    )
    firebase_clock_skew_seconds: int = Field(default=5, ge=0, le=60, description="Clock skew allowed on `iat`/`exp` of Firebase tokens")
    firebase_http_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout for fetching Google's public certificates and for the revocation lookup"
    )
    firebase_check_revoked: bool = Field(
        default=True,
        description="On each cache miss, look the user up (a call to Firebase): a disabled user or a revoked token is refused. "
        "Required in production; off only for development against forged emulator tokens",
    )
    # Verified ID tokens are kept briefly (0 entries turns the cache off); ~1 KB each.
    firebase_token_cache_size: int = Field(default=10_000, ge=0, description="Verified Firebase ID tokens kept in memory (0: off)")
    firebase_token_cache_seconds: float = Field(
        default=300.0,
        gt=0,
        le=3600,
        description="A verified ID token is trusted this long (never past its `exp`), then checked again, revocation "
        "included: the longest a disabled or revoked user is still served",
    )
    firebase_verify_threads: int = Field(
        default=16, ge=1, le=256, description="Threads for token checks on a cache miss (each may wait on Firebase)"
    )
    firebase_credentials: str = Field(
        default="",
        repr=False,
        description="Service-account key JSON (the Firebase Authentication Viewer role is enough) for the user lookup behind revocation "
        "checks; required in production",
    )
    firebase_credentials_file: str = Field(default="", description="Path to that JSON, if not given inline")

    redis_url: str = Field(
        default="",
        repr=False,
        description="Redis for rate-limit counters shared by every gateway; empty (or unreachable) keeps them in-process",
    )
    redis_timeout_seconds: float = Field(
        default=0.5, gt=0, le=10, description="Longest wait for Redis on a story request; past it the in-process counters answer"
    )
    redis_retry_seconds: float = Field(
        default=5.0, gt=0, le=300, description="While Redis is unreachable, how often one request tries it again (the rest stay in-process)"
    )
    story_rate_per_minute: float = Field(default=10.0, gt=0, description="New stories per user per minute (token bucket refill)")
    story_burst: int = Field(default=3, ge=1, description="New stories a user may start at once (token bucket size)")
    max_concurrent_streams: int = Field(default=2, ge=1, description="Story streams one user may have open at a time")
    stream_slot_lease_seconds: float = Field(
        default=60.0,
        ge=3,
        description="A stream slot in Redis expires this long after its gateway stops renewing it",
    )

    internal_token_ttl_seconds: int = Field(default=120, ge=10, le=300, description="Lifetime of each internal token (at most 300)")

    story_url: str = Field(default=local_url(STORY_SERVICE), description="story-service base URL")
    media_url: str = Field(default=local_url(MEDIA_SERVICE), description="media-service base URL")
    prompt_url: str = Field(default=local_url(PROMPT_SERVICE), description="prompt-service base URL")
    history_url: str = Field(default=local_url(HISTORY_SERVICE), description="history-service base URL")
    upstream_connect_timeout_seconds: float = Field(default=3.0, gt=0, description="Connect timeout to a service (then 503)")
    # Story streams send a ping every 15 s, so a read gap longer than this means the upstream is stuck.
    upstream_read_timeout_seconds: float = Field(default=60.0, gt=0, description="Read timeout between bytes from a service (then 504)")
    upstream_max_connections: int = Field(default=500, ge=1, description="Pooled connections per service")
    home_deadline_seconds: float = Field(
        default=4.0, gt=0, le=30, description="`/v1/home`: parts not answered by then are null (above prompt-service's model deadline)"
    )

    # Request bodies: JSON everywhere; multipart (a story from a photo) on the routes in gateway.edge.
    max_json_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest JSON (or other non-multipart) body (413 above)")
    max_multipart_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest multipart body: a story with a photo")
    # Total time, counted from the request's headers: a body still arriving then is dropped (408), whatever its pace.
    json_body_timeout_seconds: float = Field(
        default=10.0, gt=0, description="A JSON (non-multipart) body must arrive whole within this (408 after)"
    )
    multipart_body_timeout_seconds: float = Field(
        default=60.0, gt=0, description="A multipart body (a photo, up to its limit) must arrive whole within this (408 after)"
    )

    @model_validator(mode="after")
    def _refuse_emulator_for_real_projects(self) -> Settings:
        # Emulator tokens are unsigned and the SDK skips signature and expiry checks for them.
        if self.environment != "development" and self.environment != "test":
            if self.emulator_host():
                raise ValueError(f"{EMULATOR_HOST_VARIABLE} is set: the auth emulator is for development only")
            if self.firebase_project_id.startswith(DEMO_PROJECT_PREFIX):
                name = self.setting_name("firebase_project_id")
                raise ValueError(f"{name} is a {DEMO_PROJECT_PREFIX}* emulator project; set the real Firebase project id")
        if self.environment == "production":
            if not self.firebase_check_revoked:
                raise ValueError(f"{self.setting_name('firebase_check_revoked')} is off: disabled and revoked users would keep access")
            if not (self.firebase_credentials or self.firebase_credentials_file):
                name = self.setting_name("firebase_credentials")
                raise ValueError(f"{name} (or _FILE) is required in production: revocation checks look users up in Firebase")
        if self.emulator_host() and not self.firebase_project_id.startswith(DEMO_PROJECT_PREFIX):
            raise ValueError(
                f"{EMULATOR_HOST_VARIABLE} is set but firebase_project_id {self.firebase_project_id!r} "
                f"does not start with {DEMO_PROJECT_PREFIX!r}; refusing to accept unsigned tokens"
            )
        return self

    def secret_fields(self) -> tuple[str, ...]:
        return (*super().secret_fields(), "firebase_credentials")

    def firebase_credentials_info(self) -> dict[str, Any] | None:
        """The admin credentials JSON, inline or read from its file; None when neither is set."""
        text = self.firebase_credentials or (
            Path(self.firebase_credentials_file).read_text(encoding="utf-8") if self.firebase_credentials_file else ""
        )
        if not text:
            return None
        info: dict[str, Any] = json.loads(text)
        return info

    def emulator_host(self) -> str:
        """The auth emulator in use: this setting, or the variable the SDK itself reads."""
        return self.firebase_auth_emulator_host or os.environ.get(EMULATOR_HOST_VARIABLE, "")

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every service the gateway routes to, by service name."""
        return {
            STORY_SERVICE: self.story_url,
            MEDIA_SERVICE: self.media_url,
            PROMPT_SERVICE: self.prompt_url,
            HISTORY_SERVICE: self.history_url,
        }
