"""The plumbing every service gets from `create_service_app`, seen from a client."""

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict
from storyscape_devtools.testing import new_test_keys

from storyscape_common.app import create_service_app
from storyscape_common.deps import CurrentIdentity
from storyscape_common.settings import Environment, ServiceSettings

KEYS = new_test_keys()


class Echo(BaseModel):
    size: int


def build_app(environment: Environment = "development") -> FastAPI:
    router = APIRouter()

    @router.get("/v1/me")
    async def me(identity: CurrentIdentity) -> dict[str, str]:
        return {"user_id": identity.user_id}

    @router.post("/v1/echo")
    async def echo(body: Echo) -> Echo:
        return body

    @router.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    settings = ServiceSettings(service_name="prompt-service", environment=environment, internal_public_keys=KEYS.public_keys)
    return create_service_app(settings=settings, title="demo", description="demo", routers=[router])


@pytest.fixture
def client():
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def auth(user: str = "uid-1") -> dict[str, str]:
    return KEYS.bearer(user_id=user, audience="prompt-service")


async def test_a_request_without_an_internal_token_is_refused(client):
    response = await client.get("/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.json()["error"]["request_id"] == response.headers["x-request-id"]


async def test_a_token_for_another_service_is_refused(client):
    response = await client.get("/v1/me", headers=KEYS.bearer(user_id="u", audience="history-service"))
    assert response.status_code == 401


async def test_the_verified_user_reaches_the_handler(client):
    response = await client.get("/v1/me", headers=auth("uid-42"))
    assert response.json() == {"user_id": "uid-42"}


async def test_the_client_request_id_is_returned_and_a_missing_one_generated(client):
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    unsafe = await client.get("/healthz", headers={"X-Request-ID": "bad value\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad value\twith spaces"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/nothing-here", 404, "not_found"),
        ("DELETE", "/v1/me", 405, "method_not_allowed"),
        ("POST", "/v1/echo", 422, "invalid_request"),
    ],
)
async def test_errors_use_the_api_shape(client, method, path, status, code):
    response = await client.request(method, path, headers=auth(), json={"size": "not a number"})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.headers["x-request-id"]


async def test_a_crash_is_a_500_without_internals(client):
    response = await client.get("/v1/boom", headers=auth())
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret internals" not in response.text
    assert response.headers["x-request-id"]


async def test_metrics_count_requests_by_route_and_status(client):
    await client.get("/v1/me", headers=auth())
    await client.get("/v1/me")
    metrics = (await client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/v1/me",service="prompt-service",status="200"} 1.0' in metrics
    # Refused before routing, so it is counted without a route template (no unbounded label values).
    assert 'route="<unmatched>",service="prompt-service",status="401"} 1.0' in metrics
    assert "http_request_duration_seconds_bucket" in metrics


async def test_metrics_include_the_process_wide_library_counters(client):
    """Moderation counts its blocks in the default registry (it is a library, not an app): /metrics shows them."""
    from storyscape_safety.blocking import BLOCKED

    BLOCKED.labels(source="prompt", category="violence").inc(0)
    metrics = (await client.get("/metrics")).text
    assert 'storyscape_content_blocked_total{category="violence",source="prompt"}' in metrics
    assert "process_cpu_seconds_total" in metrics


async def test_docs_are_open_in_development_and_gone_in_production():
    dev = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app()), base_url="http://t")
    assert (await dev.get("/openapi.json")).status_code == 200
    prod = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app("production")), base_url="http://t")
    assert (await prod.get("/openapi.json")).status_code == 401
    assert (await prod.get("/healthz")).status_code == 200


def test_placeholder_secrets_are_refused_outside_development():
    class WithSecret(ServiceSettings):
        api_key: str = "changeme"

        def secret_fields(self) -> tuple[str, ...]:
            return ("api_key",)

    WithSecret(environment="development")
    with pytest.raises(ValueError, match="placeholder"):
        WithSecret(environment="production", internal_public_keys=KEYS.public_keys)
    WithSecret(environment="production", internal_public_keys=KEYS.public_keys, api_key="sk-real-0b8f3c")


@pytest.mark.parametrize(
    "url",
    ["postgresql://app:changeme@db.internal:5432/stories", "postgresql://app:placeholder@db/x", "https://<your-host>/v1"],
)
def test_a_placeholder_anywhere_in_a_value_is_refused_outside_development(url: str) -> None:
    class WithDatabase(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="HISTORY_")
        database_url: str = ""

    WithDatabase(environment="development", database_url=url)
    with pytest.raises(ValueError, match="HISTORY_DATABASE_URL"):
        WithDatabase(environment="production", internal_public_keys=KEYS.public_keys, database_url=url)
    WithDatabase(environment="production", internal_public_keys=KEYS.public_keys, database_url="postgresql://app:Tq9x-real@db/x")


def test_outside_development_trusted_keys_are_required() -> None:
    with pytest.raises(ValueError, match="INTERNAL_PUBLIC_KEYS"):
        ServiceSettings(environment="production")
