"""Where a service's internal keys come from: its settings, or in development the key files the dev stack keeps."""

from __future__ import annotations

import logging
from pathlib import Path

from storyscape_common.internal_auth import InternalTokenSigner, ensure_dev_keys, read_public_keys
from storyscape_common.settings import ServiceSettings, SignerSettings

logger = logging.getLogger("storyscape.signing")
DEV_KEY_DIRECTORY = Path(".data/keys")


def internal_signer(settings: SignerSettings, *, ttl_seconds: int = 120) -> InternalTokenSigner:
    """This service's signer; in development without a configured key, its own key pair under `.data/keys`."""
    private_pem = settings.signing_key_pem()
    if not private_pem:
        if settings.environment != "development":
            raise RuntimeError(f"{settings.setting_name('internal_signing_key')} is required outside development")
        private_path, public_path = ensure_dev_keys(DEV_KEY_DIRECTORY, (settings.service_name,))[settings.service_name]
        logger.warning("no internal signing key set; using the development key", extra={"fields": {"public_key_file": str(public_path)}})
        private_pem = private_path.read_text(encoding="utf-8")
    return InternalTokenSigner(private_key_pem=private_pem, issuer=settings.service_name, ttl_seconds=ttl_seconds)


def trusted_keys(settings: ServiceSettings) -> dict[str, str]:
    """issuer → PEM this service trusts; in development with none configured, the dev stack's public key files."""
    configured = settings.trusted_public_keys()
    if configured or settings.environment != "development":
        return configured
    development = read_public_keys(DEV_KEY_DIRECTORY / "public")
    if not development:
        logger.warning("no trusted internal keys configured: every internal call will be refused")
    return development
