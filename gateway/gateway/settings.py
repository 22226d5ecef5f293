"""Gateway settings: Firebase project, internal signing key, upstream services and their timeouts."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from storyscape_common.firebase_project import EMULATOR_HOST_VARIABLE, FirebaseProjectSettings
from storyscape_common.registry import GATEWAY, HISTORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE, STORY_SERVICE, service
from storyscape_common.settings import SignerSettings, local_url

__all__ = ["EMULATOR_HOST_VARIABLE", "Settings"]


class Settings(SignerSettings, FirebaseProjectSettings):
    """Everything the gateway reads from `GATEWAY_*` variables (and the SDK's own emulator variable)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    # The gateway verifies Firebase ID tokens; it only signs internal ones.
    verifies_internal_tokens: ClassVar[bool] = False

    service_name: str = GATEWAY
    port: int = service(GATEWAY).default_port

    firebase_credentials_needed_for: ClassVar[str] = "revocation checks look users up in Firebase"

    firebase_clock_skew_seconds: int = Field(default=5, ge=0, le=60, description="Clock skew allowed on `iat`/`exp` of Firebase tokens")
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
    def _refuse_unchecked_tokens_in_production(self) -> Settings:
        if self.environment == "production" and not self.firebase_check_revoked:
            raise ValueError(f"{self.setting_name('firebase_check_revoked')} is off: disabled and revoked users would keep access")
        return self

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every service the gateway routes to, by service name."""
        return {
            STORY_SERVICE: self.story_url,
            MEDIA_SERVICE: self.media_url,
            PROMPT_SERVICE: self.prompt_url,
            HISTORY_SERVICE: self.history_url,
        }
