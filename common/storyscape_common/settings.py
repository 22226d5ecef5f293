"""Settings base shared by every service (pydantic-settings, one env prefix per service)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

PLACEHOLDER_MARKERS = ("changeme", "change-me", "placeholder", "secret", "xxx", "todo", "example")


def is_placeholder(value: str) -> bool:
    """True for empty values and the obvious stand-ins people leave in config files."""
    lowered = value.strip().lower()
    return not lowered or any(lowered == m or lowered.startswith(m) for m in PLACEHOLDER_MARKERS)


def pem_from(inline: str, path: str) -> str:
    """A PEM given inline, else read from `path`; "" when neither is set."""
    if inline:
        return inline
    if path:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    return ""


class ServiceSettings(BaseSettings):
    """What every service needs: environment, listen address, internal identity, logging."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_nested_delimiter="__")

    service_name: str = Field(default="service", description="This service's name; internal tokens must be addressed to it")
    environment: Environment = Field(
        default="development", description="development | test | production (production hides /docs, refuses placeholders)"
    )
    host: str = Field(default="127.0.0.1", description="Listen address of `python -m <module>`")
    port: int = Field(default=8000, description="Listen port of `python -m <module>`")
    log_level: str = Field(default="INFO", description="Log level of the JSON logs")
    internal_public_key: str = Field(default="", description="PEM Ed25519 public key that verifies internal tokens")
    internal_public_key_file: str = Field(default="", description="Path to that PEM, if not given inline")

    # How `python -m <module>` serves (storyscape_common.server): edge limits and where operations are served.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, description="Request line and headers larger than this get 431")
    header_timeout_seconds: float = Field(default=10.0, gt=0, description="A client must send its headers within this")
    keep_alive_timeout_seconds: int = Field(default=5, ge=1, description="Idle keep-alive connections close after this")
    max_concurrent_connections: int = Field(default=1000, ge=1, description="Connections and requests beyond this get 503")
    graceful_shutdown_seconds: int = Field(default=30, ge=0, description="On SIGTERM, running requests (story streams) get this long")
    operations_port: int | None = Field(
        default=None, description="Serve /healthz, /readyz and /metrics only on this port (not on `port`) when set"
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.environment == "development":
            return self
        for name in self.secret_fields():
            value = getattr(self, name)
            if isinstance(value, str) and value and is_placeholder(value):
                raise ValueError(f"{name} holds a placeholder value; set a real secret outside development")
        if not self.public_key_pem():
            raise ValueError("internal_public_key (or internal_public_key_file) is required outside development")
        return self

    def secret_fields(self) -> tuple[str, ...]:
        """Names of settings that hold secrets; subclasses extend this."""
        return ()

    def public_key_pem(self) -> str:
        """The internal-token public key, inline or read from its file."""
        return pem_from(self.internal_public_key, self.internal_public_key_file)

    @property
    def docs_enabled(self) -> bool:
        return self.environment != "production"


class SignerSettings(ServiceSettings):
    """Settings of a service that signs internal tokens for its calls (the gateway, story-service)."""

    internal_signing_key: str = Field(default="", description="PEM Ed25519 private key that signs internal tokens")
    internal_signing_key_file: str = Field(default="", description="Path to that PEM, if not given inline")

    @model_validator(mode="after")
    def _require_signing_key(self) -> SignerSettings:
        if self.environment != "development" and not self.signing_key_pem():
            raise ValueError("internal_signing_key (or internal_signing_key_file) is required outside development")
        return self

    def secret_fields(self) -> tuple[str, ...]:
        return (*super().secret_fields(), "internal_signing_key")

    def signing_key_pem(self) -> str:
        """The internal-token private key, inline or read from its file ("" when neither is set)."""
        return pem_from(self.internal_signing_key, self.internal_signing_key_file)
