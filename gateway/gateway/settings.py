"""Gateway settings: Firebase project, internal signing key, upstream services and their timeouts."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import serialization
from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from storyscape_common.settings import SignerSettings

EMULATOR_HOST_VARIABLE = "FIREBASE_AUTH_EMULATOR_HOST"
DEMO_PROJECT_PREFIX = "demo-"


class Settings(SignerSettings):
    """Everything the gateway reads from `GATEWAY_*` variables (and the SDK's own emulator variable)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000

    firebase_project_id: str = "demo-storyscape"
    # The SDK's own variable, read without our prefix so one setting drives both the SDK and this guard.
    firebase_auth_emulator_host: str = Field(
        default="", validation_alias=AliasChoices(EMULATOR_HOST_VARIABLE, "firebase_auth_emulator_host")
    )
    firebase_clock_skew_seconds: int = Field(default=5, ge=0, le=60)
    firebase_http_timeout_seconds: float = Field(default=10.0, gt=0)
    # Verified ID tokens kept until they expire (0 turns the cache off); ~1 KB each.
    firebase_token_cache_size: int = Field(default=10_000, ge=0)

    internal_token_ttl_seconds: int = Field(default=120, ge=10, le=300)

    story_url: str = "http://127.0.0.1:8001"
    media_url: str = "http://127.0.0.1:8002"
    prompt_url: str = "http://127.0.0.1:8003"
    history_url: str = "http://127.0.0.1:8004"
    upstream_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    # Story streams send a ping every 15 s, so a read gap longer than this means the upstream is stuck.
    upstream_read_timeout_seconds: float = Field(default=60.0, gt=0)
    upstream_max_connections: int = Field(default=500, ge=1)

    # Request bodies: JSON everywhere; multipart (a story from a photo) on the routes in gateway.edge.
    max_json_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_multipart_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)

    @model_validator(mode="after")
    def _refuse_emulator_for_real_projects(self) -> Settings:
        # Emulator tokens are unsigned and the SDK skips signature and expiry checks for them.
        if self.emulator_host() and not self.firebase_project_id.startswith(DEMO_PROJECT_PREFIX):
            raise ValueError(
                f"{EMULATOR_HOST_VARIABLE} is set but firebase_project_id {self.firebase_project_id!r} "
                f"does not start with {DEMO_PROJECT_PREFIX!r}; refusing to accept unsigned tokens"
            )
        return self

    def emulator_host(self) -> str:
        """The auth emulator in use: this setting, or the variable the SDK itself reads."""
        return self.firebase_auth_emulator_host or os.environ.get(EMULATOR_HOST_VARIABLE, "")

    def public_key_pem(self) -> str:
        """The configured public key, else the one derived from the signing key (the gateway only signs)."""
        configured = super().public_key_pem()
        private_pem = self.signing_key_pem()
        if configured or not private_pem:
            return configured
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every service the gateway routes to, by service name."""
        return {
            "story-service": self.story_url,
            "media-service": self.media_url,
            "prompt-service": self.prompt_url,
            "history-service": self.history_url,
        }
