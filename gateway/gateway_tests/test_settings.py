"""The gateway refuses to start with settings that would weaken authentication."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError
from storyscape_devtools import testing
from storyscape_devtools.testing import LiveServer

from gateway.main import create_app
from gateway.settings import Settings
from gateway_tests.utils.firebase_tokens import service_account_json
from storyscape_common.signing import internal_signer


def test_the_auth_emulator_is_refused_for_a_real_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(ValidationError, match="demo-"):
        Settings(environment="development", firebase_project_id="my-prod")


def test_production_refuses_the_auth_emulator_even_for_a_demo_project(monkeypatch: pytest.MonkeyPatch, keys: testing.TestKeys) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(ValidationError, match="FIREBASE_AUTH_EMULATOR_HOST"):
        Settings(environment="production", firebase_project_id="demo-x", internal_signing_key=keys.private_pem())


def test_production_refuses_a_demo_project(keys: testing.TestKeys) -> None:
    with pytest.raises(ValidationError, match="GATEWAY_FIREBASE_PROJECT_ID"):
        Settings(environment="production", firebase_project_id="demo-storyscape", internal_signing_key=keys.private_pem())


def test_the_environment_must_be_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATEWAY_ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError, match="environment"):
        Settings(_env_file=None)


def test_production_refuses_a_placeholder_inside_a_url(keys: testing.TestKeys) -> None:
    with pytest.raises(ValidationError, match="GATEWAY_REDIS_URL"):
        Settings(
            environment="production",
            firebase_project_id="storyscape-prod",
            internal_signing_key=keys.private_pem(),
            redis_url="redis://default:changeme@cache.internal:6379/0",
        )


def test_the_auth_emulator_is_allowed_for_a_demo_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    monkeypatch.setenv("GATEWAY_FIREBASE_PROJECT_ID", "demo-x")
    settings = Settings(environment="development")
    assert (settings.firebase_auth_emulator_host, settings.firebase_project_id) == ("127.0.0.1:9099", "demo-x")


def production(keys: testing.TestKeys, **overrides: object) -> Settings:
    values = {
        "environment": "production",
        "firebase_project_id": "storyscape-prod",
        "internal_signing_key": keys.private_pem(),
        "firebase_credentials": service_account_json("storyscape-prod"),
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_outside_development_an_internal_signing_key_is_required(keys: testing.TestKeys) -> None:
    with pytest.raises(ValidationError, match="GATEWAY_INTERNAL_SIGNING_KEY"):
        production(keys, internal_signing_key="")
    settings = production(keys)
    token = internal_signer(settings).sign(user_id="u", audience="history-service", request_id="r")
    assert keys.verifier("history-service").verify(token).user_id == "u"


def test_production_needs_admin_credentials_for_revocation_checks(keys: testing.TestKeys) -> None:
    with pytest.raises(ValidationError, match="GATEWAY_FIREBASE_CREDENTIALS"):
        production(keys, firebase_credentials="")


def test_production_cannot_turn_revocation_checks_off(keys: testing.TestKeys) -> None:
    with pytest.raises(ValidationError, match="GATEWAY_FIREBASE_CHECK_REVOKED"):
        production(keys, firebase_check_revoked=False)


async def test_docs_are_hidden_in_production(keys: testing.TestKeys) -> None:
    settings = production(keys)
    with LiveServer(create_app(settings)) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/docs")).status_code == 404
            assert (await client.get("/openapi.json")).status_code == 404
