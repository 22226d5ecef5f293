"""Settings for tests: the `test` environment, with real keys and secrets made per run."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from storyscape_devtools.testing import TestKeys

from media_service.settings import Settings
from media_tests.utils.ministack import S3Credentials


def local_settings(*, keys: TestKeys, local_dir: Path, public_base_url: str = "http://127.0.0.1:8000", **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "internal_public_keys": keys.public_keys,
        "object_store": "local",
        "local_dir": str(local_dir),
        "public_base_url": public_base_url,
        "url_signing_secret": secrets.token_urlsafe(32),
        "database_url": f"sqlite:///{local_dir}.db",  # beside the objects, never in the working directory
        **overrides,
    }
    return Settings(**values)


def s3_settings(*, keys: TestKeys, credentials: S3Credentials, bucket: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "internal_public_keys": keys.public_keys,
        "object_store": "s3",
        "s3_bucket": bucket,
        "s3_region": credentials.region,
        "s3_endpoint_url": credentials.endpoint_url,
        "s3_access_key_id": credentials.access_key_id,
        "s3_secret_access_key": credentials.secret_access_key,
        "database_url": f"sqlite:///{tempfile.mkdtemp(prefix='media-db-')}/media.db",
        **overrides,
    }
    return Settings(**values)
