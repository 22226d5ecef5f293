"""`/readyz` names the gateway's dependencies and how they fail only where operators read it: on the operations
port, or outside production. The public listener of a production gateway says ready or not, nothing more."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from storyscape_devtools.testing import TestKeys, free_port

from gateway_tests.conftest import URL_SETTING, GatewayFactory, Upstream
from gateway_tests.utils.accounts_server import AccountsServer
from gateway_tests.utils.cert_server import CertServer
from gateway_tests.utils.firebase_tokens import service_account_json
from gateway_tests.utils.gateway_process import CERT_URL_VARIABLE, TOOLKIT_URL_VARIABLE, GatewayProcess

PRODUCTION = {
    "environment": "production",
    "firebase_project_id": "storyscape-prod",
    "firebase_credentials": service_account_json("storyscape-prod"),
}
SERVICE_NAMES = ("story-service", "media-service", "prompt-service", "history-service")


def names_nothing_internal(response: httpx.Response) -> bool:
    return not any(name in response.text for name in SERVICE_NAMES) and "checks" not in response.json()


async def test_a_production_gateway_answers_readiness_without_details(make_gateway: GatewayFactory) -> None:
    with make_gateway(**PRODUCTION) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_a_production_gateway_that_is_not_ready_says_so_without_naming_why(make_gateway: GatewayFactory) -> None:
    with make_gateway(**PRODUCTION, media_url=f"http://127.0.0.1:{free_port()}") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            response = await client.get("/readyz", headers={"X-Request-ID": "ready-1"})
    assert response.status_code == 503
    assert response.json() == {"error": {"code": "upstream_unavailable", "message": "not ready", "request_id": "ready-1"}}
    assert names_nothing_internal(response)


async def test_outside_production_readiness_names_what_fails(make_gateway: GatewayFactory) -> None:
    with make_gateway(media_url=f"http://127.0.0.1:{free_port()}") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["media-service"].startswith("error")


@pytest.fixture(scope="module")
def production_gateway_with_operations_port(
    keys: TestKeys,
    cert_server: CertServer,
    accounts: AccountsServer,
    upstreams: dict[str, Upstream],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[GatewayProcess, int]]:
    port, operations_port = free_port(), free_port()
    env = {
        "GATEWAY_ENVIRONMENT": "production",
        "GATEWAY_PORT": str(port),
        "GATEWAY_OPERATIONS_PORT": str(operations_port),
        "GATEWAY_FIREBASE_PROJECT_ID": "storyscape-prod",
        "GATEWAY_FIREBASE_CREDENTIALS": service_account_json("storyscape-prod"),
        "GATEWAY_INTERNAL_SIGNING_KEY": keys.private_pem("gateway"),
        **{f"GATEWAY_{URL_SETTING[name].upper()}": upstream.server.url for name, upstream in upstreams.items()},
        CERT_URL_VARIABLE: cert_server.url,
        TOOLKIT_URL_VARIABLE: accounts.url,
    }
    with GatewayProcess(env, port=port, log=tmp_path_factory.mktemp("gateway") / "gateway.log") as process:
        yield process, operations_port


async def test_with_an_operations_port_only_that_port_serves_readiness_and_its_details(
    production_gateway_with_operations_port: tuple[GatewayProcess, int],
) -> None:
    gateway, operations_port = production_gateway_with_operations_port
    async with httpx.AsyncClient() as client:
        public = await client.get(f"{gateway.url}/readyz")
        operations = await client.get(f"http://127.0.0.1:{operations_port}/readyz")
    assert public.status_code == 404
    assert public.json()["error"]["code"] == "not_found"
    assert names_nothing_internal(public)
    assert operations.status_code == 200
    assert set(operations.json()["checks"]) == set(SERVICE_NAMES)
