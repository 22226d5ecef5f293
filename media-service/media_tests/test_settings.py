"""Settings refuse what would be unsafe outside development, and read `MEDIA_` variables."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from storyscape_devtools.testing import TestKeys

from media_service.settings import DEVELOPMENT_SIGNING_SECRET, Settings


def production(keys: TestKeys, **values: Any) -> Settings:
    return Settings(_env_file=None, environment="production", internal_public_keys=keys.public_keys, **values)


def test_development_signs_links_without_configuration() -> None:
    settings = Settings(_env_file=None, environment="development")
    assert (settings.service_name, settings.port, settings.object_store) == ("media-service", 8002, "local")
    assert (settings.local_dir, settings.public_base_url) == (".data/media", "http://127.0.0.1:8000")
    assert settings.url_signing_secret


@pytest.mark.parametrize(
    "secret", ["", "short-but-real", "change-me-please-this-is-the-url-signing-key", "secret" + "k" * 40, "placeholder" + "k" * 40]
)
def test_local_store_outside_development_refuses_missing_short_or_placeholder_secret(test_keys: TestKeys, secret: str) -> None:
    with pytest.raises(ValidationError, match="(?i)url_signing_secret"):
        production(test_keys, url_signing_secret=secret)


def test_the_built_in_development_key_is_refused_outside_development(test_keys: TestKeys) -> None:
    with pytest.raises(ValidationError, match="MEDIA_URL_SIGNING_SECRET"):
        production(test_keys, url_signing_secret=DEVELOPMENT_SIGNING_SECRET)


def test_real_secret_is_accepted_and_never_shown(test_keys: TestKeys) -> None:
    secret = "Zq3vS8pW1xLr7TnY2bKc9HdMf4GjA6Ue0oRi5VwXyB"
    settings = production(test_keys, url_signing_secret=secret)
    assert secret not in repr(settings)


def test_s3_outside_development_needs_no_url_signing_secret(test_keys: TestKeys) -> None:
    settings = production(test_keys, object_store="s3", s3_bucket="storyscape-media-prod")
    assert settings.object_store == "s3"


def test_s3_keys_come_in_pairs_and_are_not_placeholders(test_keys: TestKeys) -> None:
    with pytest.raises(ValidationError, match="both"):
        production(test_keys, object_store="s3", s3_access_key_id="AKIAREALKEY000000000")
    with pytest.raises(ValidationError, match="(?i)s3_secret_access_key"):
        production(test_keys, object_store="s3", s3_access_key_id="AKIAREALKEY000000000", s3_secret_access_key="changeme")


def test_settings_read_media_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIA_OBJECT_STORE", "s3")
    monkeypatch.setenv("MEDIA_S3_BUCKET", "from-env")
    monkeypatch.setenv("MEDIA_S3_CREATE_BUCKET", "true")
    settings = Settings(_env_file=None, environment="development")
    assert (settings.object_store, settings.s3_bucket, settings.s3_create_bucket) == ("s3", "from-env", True)
