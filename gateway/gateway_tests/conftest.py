"""Shared fixtures: a Firebase token issuer with its loopback cert server, four upstream services, gateways."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import firebase_admin._token_gen
import firebase_admin._user_mgt
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from storyscape_devtools.testing import LiveServer, TestKeys

from gateway.main import create_app
from gateway.settings import EMULATOR_HOST_VARIABLE, Settings
from gateway_tests.utils.accounts_server import AccountsServer
from gateway_tests.utils.cert_server import CertServer
from gateway_tests.utils.firebase_tokens import FirebaseTestIssuer
from gateway_tests.utils.upstream_app import Probes, upstream_app

PROJECT_ID = "demo-gateway-tests"
SERVICES = ("story-service", "media-service", "prompt-service", "history-service")
URL_SETTING = {"story-service": "story_url", "media-service": "media_url", "prompt-service": "prompt_url", "history-service": "history_url"}


@dataclass(frozen=True)
class Upstream:
    server: LiveServer
    probes: Probes


@pytest.fixture(scope="session", autouse=True)
def no_emulator() -> Iterator[None]:
    """Emulator tokens skip signature checks: these tests must run the real path whatever the shell has set."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(EMULATOR_HOST_VARIABLE, raising=False)
        yield


@pytest.fixture(autouse=True)
def no_emulator_in_this_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-process gateway on the emulator (e2e tests) puts the variable in the process environment for the SDK;
    every test starts without it."""
    monkeypatch.delenv(EMULATOR_HOST_VARIABLE, raising=False)


@pytest.fixture(scope="session")
def issuer() -> FirebaseTestIssuer:
    return FirebaseTestIssuer.create(project_id=PROJECT_ID)


@pytest.fixture(scope="session")
def cert_server(issuer: FirebaseTestIssuer) -> Iterator[CertServer]:
    """Google's cert endpoint, played on loopback; the SDK reads this URL when an app first verifies a token."""
    with CertServer({issuer.kid: issuer.cert_pem}) as server, pytest.MonkeyPatch.context() as patch:
        patch.setattr(firebase_admin._token_gen, "ID_TOKEN_CERT_URI", server.url)
        yield server


@pytest.fixture(scope="session")
def accounts(cert_server: CertServer) -> Iterator[AccountsServer]:
    """Identity Toolkit's user lookup, played on loopback: the revocation check the gateway makes on a cache miss."""
    with AccountsServer() as server, pytest.MonkeyPatch.context() as patch:
        patch.setattr(firebase_admin._user_mgt.UserManager, "ID_TOOLKIT_URL", server.url)
        yield server


@pytest.fixture(scope="session")
def upstreams(keys: TestKeys) -> Iterator[dict[str, Upstream]]:
    with ExitStack() as stack:
        running = {}
        for service in SERVICES:
            probes = Probes()
            app = upstream_app(service=service, public_keys=keys.public_keys, probes=probes)
            running[service] = Upstream(stack.enter_context(LiveServer(app)), probes)
        yield running


class AsgiSpecVersion:
    """Presents the app as if served by a server speaking another ASGI spec version (2.4 changes disconnects)."""

    def __init__(self, app: ASGIApp, spec_version: str) -> None:
        self.app = app
        self.spec_version = spec_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "asgi": {**scope.get("asgi", {}), "spec_version": self.spec_version}}
        await self.app(scope, receive, send)


GatewayFactory = Callable[..., AbstractContextManager[LiveServer]]


@pytest.fixture(scope="session")
def make_gateway(keys: TestKeys, cert_server: CertServer, accounts: AccountsServer, upstreams: dict[str, Upstream]) -> GatewayFactory:
    """Start a gateway over the test upstreams; keyword arguments override its settings."""

    @contextmanager
    def start(*, asgi_spec_version: str | None = None, **overrides: Any) -> Iterator[LiveServer]:
        values: dict[str, Any] = {
            "environment": "test",
            "firebase_project_id": PROJECT_ID,
            "internal_signing_key": keys.private_pem("gateway"),
            **{URL_SETTING[name]: upstream.server.url for name, upstream in upstreams.items()},
            **overrides,
        }
        app = create_app(Settings(**values))
        served = app if asgi_spec_version is None else AsgiSpecVersion(app, asgi_spec_version)
        with LiveServer(served) as server:  # type: ignore[arg-type]
            yield server

    return start


@pytest.fixture(scope="session")
def gateway(make_gateway: GatewayFactory) -> Iterator[LiveServer]:
    with make_gateway() as server:
        yield server


@pytest.fixture
def bearer(issuer: FirebaseTestIssuer) -> Callable[..., dict[str, str]]:
    """`Authorization` header with a valid ID token for `uid`."""

    def header(uid: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.token(uid=uid)}"}

    return header
