"""Settings base shared by every service (pydantic-settings, one env prefix per service)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storyscape_common.internal_auth import read_public_keys
from storyscape_common.registry import service

Environment = Literal["development", "test", "production"]

PLACEHOLDER_MARKERS = ("changeme", "change-me", "placeholder", "secret", "xxx", "todo", "example")
# Stand-ins that are never part of a real value, wherever they appear in it (`postgresql://u:changeme@db/x`).
EMBEDDED_PLACEHOLDERS = re.compile(r"change-?me|placeholder|replace-?me|<[a-z_ -]+>", re.IGNORECASE)
URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@]*:(?P<password>[^@]*)@", re.IGNORECASE)


def is_placeholder(value: str) -> bool:
    """True for empty values and the obvious stand-ins people leave in config files."""
    lowered = value.strip().lower()
    return not lowered or any(lowered == m or lowered.startswith(m) for m in PLACEHOLDER_MARKERS)


def embedded_placeholder(value: str) -> bool:
    """True when a value carries a stand-in anywhere in it, including as a URL's password."""
    password = URL_PASSWORD.match(value)
    return bool(EMBEDDED_PLACEHOLDERS.search(value)) or (password is not None and is_placeholder(password["password"]))


def pem_from(inline: str, path: str) -> str:
    """A PEM given inline, else read from `path`; "" when neither is set."""
    if inline:
        return inline
    if path:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    return ""


def local_url(service_name: str) -> str:
    """Where `service_name` listens on this machine by default (the registry's port)."""
    return f"http://127.0.0.1:{service(service_name).default_port}"


class ServiceSettings(BaseSettings):
    """What every service needs: environment, listen address, internal identity, logging.

    `environment` has no default: the dev stack and the tests say `development`/`test`, a deployment `production`,
    so a forgotten variable never turns a production service into a development one.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_nested_delimiter="__")
    verifies_internal_tokens: ClassVar[bool] = True

    service_name: str = Field(default="service", description="This service's name; internal tokens must be addressed to it")
    environment: Environment = Field(
        description="development | test | production (required; production hides /docs and refuses dev-only settings)"
    )
    host: str = Field(default="127.0.0.1", description="Listen address of `python -m <module>`")
    port: int = Field(default=8000, description="Listen port of `python -m <module>`")
    log_level: str = Field(default="INFO", description="Log level of the JSON logs")
    internal_public_keys: dict[str, str] = Field(
        default_factory=dict, description="JSON object: issuing service name → its PEM Ed25519 public key (the trusted issuers)"
    )
    internal_public_keys_dir: str = Field(
        default="", description="Directory of `<issuer>.pub.pem` files, read in addition to internal_public_keys"
    )

    # How `python -m <module>` serves (storyscape_common.server): edge limits and where operations are served.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, description="Request line and headers larger than this get 431")
    header_timeout_seconds: float = Field(default=10.0, gt=0, description="A client must send its headers within this")
    keep_alive_timeout_seconds: int = Field(
        default=5, ge=3, description="Idle keep-alive connections close after this (above the 2 s our own clients keep them)"
    )
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
                raise ValueError(f"{self.setting_name(name)} holds a placeholder value; set a real secret outside development")
        for name, value in self:
            if isinstance(value, str) and embedded_placeholder(value):
                raise ValueError(f"{self.setting_name(name)} contains a placeholder (e.g. 'changeme'); set the real value")
        if self.verifies_internal_tokens and not self.trusted_public_keys():
            raise ValueError(f"{self.setting_name('internal_public_keys')} (or _DIR) is required outside development")
        return self

    def setting_name(self, field_name: str) -> str:
        """The environment variable that sets `field_name` (what an operator has to fix)."""
        prefix = str(self.model_config.get("env_prefix", ""))
        return f"{prefix}{field_name}".upper()

    def secret_fields(self) -> tuple[str, ...]:
        """Names of settings that hold secrets; subclasses extend this."""
        return ()

    def trusted_public_keys(self) -> dict[str, str]:
        """issuer → PEM: the keys in the directory, then the inline ones (which win)."""
        from_dir = read_public_keys(Path(self.internal_public_keys_dir)) if self.internal_public_keys_dir else {}
        return from_dir | self.internal_public_keys

    @property
    def docs_enabled(self) -> bool:
        return self.environment != "production"


class SignerSettings(ServiceSettings):
    """Settings of a service that signs internal tokens for its calls (its own key; the issuer is its name)."""

    internal_signing_key: str = Field(default="", repr=False, description="PEM Ed25519 private key that signs internal tokens")
    internal_signing_key_file: str = Field(default="", description="Path to that PEM, if not given inline")

    @model_validator(mode="after")
    def _require_signing_key(self) -> SignerSettings:
        if self.environment != "development" and not self.signing_key_pem():
            raise ValueError(f"{self.setting_name('internal_signing_key')} (or _FILE) is required outside development")
        return self

    def secret_fields(self) -> tuple[str, ...]:
        return (*super().secret_fields(), "internal_signing_key")

    def signing_key_pem(self) -> str:
        """The internal-token private key, inline or read from its file ("" when neither is set)."""
        return pem_from(self.internal_signing_key, self.internal_signing_key_file)
