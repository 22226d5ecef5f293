"""A disabled, signed-out or deleted Firebase user is refused within the token cache's time, and what that costs:
one user lookup per cache miss, shared by concurrent requests, never one per request.

On the real Firebase Auth emulator (firebase-admin's own calls, `accounts:update` and `accounts:lookup`), and on the
RS256 path against loopback stand-ins for Google's certs and user lookup.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator

import firebase_admin
import httpx
import pytest
from firebase_admin import auth
from google.auth.credentials import AnonymousCredentials

from gateway.settings import EMULATOR_HOST_VARIABLE
from gateway_tests.conftest import GatewayFactory
from gateway_tests.utils.accounts_server import AccountsServer
from gateway_tests.utils.auth_emulator import AuthEmulator, auth_emulator
from gateway_tests.utils.firebase_tokens import FirebaseTestIssuer

CACHE_SECONDS = 2.0
# Polling granularity and a loaded two-core machine: how much later than the cache time a refusal may be seen.
SLACK_SECONDS = 1.0


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthEmulator]:
    with auth_emulator(tmp_path_factory.mktemp("auth-emulator")) as running:
        yield running


@pytest.fixture
def admin(emulator: AuthEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[firebase_admin.App]:
    """The Admin SDK as an operator (or account deletion) uses it, pointed at the emulator."""
    monkeypatch.setenv(EMULATOR_HOST_VARIABLE, emulator.host)
    app = firebase_admin.initialize_app(AnonymousCredentials(), {"projectId": emulator.project_id}, name=f"admin-{uuid.uuid4().hex}")
    yield app
    firebase_admin.delete_app(app)


def assert_refused(response: httpx.Response, message: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"error": {"code": "unauthenticated", "message": message, "request_id": response.headers["x-request-id"]}}


async def first_refusal(client: httpx.AsyncClient, headers: dict[str, str], *, within: float) -> tuple[httpx.Response, float, int]:
    """Poll until the gateway refuses the token: that answer, how long it took, and how many were served meanwhile."""
    started, served = time.monotonic(), 0
    while True:
        response = await client.get("/v1/catalog", headers=headers)
        elapsed = time.monotonic() - started
        if response.status_code != 200 or elapsed > within:
            return response, elapsed, served
        served += 1
        await asyncio.sleep(0.1)


CHANGES: dict[str, tuple[Callable[[str, firebase_admin.App], object], str]] = {
    "disabled": (lambda uid, app: auth.update_user(uid, disabled=True, app=app), "this account is disabled"),
    "signed out everywhere": (lambda uid, app: auth.revoke_refresh_tokens(uid, app=app), "this ID token has been revoked; sign in again"),
    "deleted": (lambda uid, app: auth.delete_user(uid, app=app), "this account no longer exists"),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_on_the_emulator_a_changed_account_is_refused_within_the_cache_time(
    make_gateway: GatewayFactory, emulator: AuthEmulator, admin: firebase_admin.App, change: str
) -> None:
    user = emulator.sign_up()
    headers = {"Authorization": f"Bearer {user.id_token}"}
    apply, message = CHANGES[change]
    with make_gateway(firebase_project_id=emulator.project_id, firebase_token_cache_seconds=CACHE_SECONDS) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            before = await client.get("/v1/catalog", headers=headers)
            verified_at = time.monotonic()
            await asyncio.sleep(1.1)  # revocation is to the second: tokens issued in an earlier second are revoked
            await asyncio.to_thread(apply, user.uid, admin)
            refused, _, served_meanwhile = await first_refusal(client, headers, within=CACHE_SECONDS + 5)
            refused_after = time.monotonic() - verified_at

    assert before.status_code == 200 and before.json()["user_id"] == user.uid
    assert_refused(refused, message)
    # Served from the cache until its entry was CACHE_SECONDS old, then looked up again and refused.
    assert served_meanwhile >= 1
    assert CACHE_SECONDS - 0.2 <= refused_after <= CACHE_SECONDS + SLACK_SECONDS


async def test_without_the_revocation_check_a_disabled_user_would_keep_access(
    make_gateway: GatewayFactory, emulator: AuthEmulator, admin: firebase_admin.App
) -> None:
    # What the check buys: the same change, and a gateway that only checks signatures, serves the user on.
    user = emulator.sign_up()
    headers = {"Authorization": f"Bearer {user.id_token}"}
    settings = {"firebase_project_id": emulator.project_id, "firebase_token_cache_seconds": 0.5, "firebase_check_revoked": False}
    with make_gateway(**settings) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            await asyncio.to_thread(auth.update_user, user.uid, disabled=True, app=admin)
            response, _, served = await first_refusal(client, headers, within=1.5)
    assert response.status_code == 200 and served >= 5


def lookups_of(accounts: AccountsServer, uid: str) -> int:
    return accounts.lookups[uid]


async def test_one_user_lookup_per_cache_miss(make_gateway: GatewayFactory, issuer: FirebaseTestIssuer, accounts: AccountsServer) -> None:
    uid = f"u-{uuid.uuid4().hex}"
    headers = {"Authorization": f"Bearer {issuer.token(uid=uid)}"}
    with make_gateway(firebase_token_cache_seconds=1.0) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            first = [(await client.get("/v1/catalog", headers=headers)).status_code for _ in range(20)]
            after_first = lookups_of(accounts, uid)
            await asyncio.sleep(1.2)
            second = [(await client.get("/v1/catalog", headers=headers)).status_code for _ in range(20)]
            metrics = (await client.get("/metrics")).text

    assert first == second == [200] * 20
    assert (after_first, lookups_of(accounts, uid)) == (1, 2)
    assert 'gateway_firebase_token_checks_total{result="cache_hit"} 38.0' in metrics
    assert 'gateway_firebase_token_checks_total{result="verified"} 2.0' in metrics


async def test_concurrent_requests_with_a_new_token_share_one_lookup(
    make_gateway: GatewayFactory, issuer: FirebaseTestIssuer, accounts: AccountsServer
) -> None:
    uid = f"u-{uuid.uuid4().hex}"
    headers = {"Authorization": f"Bearer {issuer.token(uid=uid)}"}
    with make_gateway() as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            answers = await asyncio.gather(*(client.get("/v1/catalog", headers=headers) for _ in range(10)))
    assert [answer.status_code for answer in answers] == [200] * 10
    assert lookups_of(accounts, uid) == 1


@pytest.mark.parametrize("change", ["disabled", "revoked", "deleted"])
async def test_on_the_rs256_path_a_changed_account_is_refused(
    make_gateway: GatewayFactory, issuer: FirebaseTestIssuer, accounts: AccountsServer, change: str
) -> None:
    uid = f"u-{uuid.uuid4().hex}"
    headers = {"Authorization": f"Bearer {issuer.token(uid=uid, iat=int(time.time()) - 5)}"}
    with make_gateway(firebase_token_cache_seconds=0.5) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            before = await client.get("/v1/catalog", headers=headers)
            {"disabled": accounts.disabled.add, "revoked": accounts.revoke, "deleted": accounts.deleted.add}[change](uid)
            await asyncio.sleep(0.6)
            after = await client.get("/v1/catalog", headers=headers)
    assert before.status_code == 200
    assert after.status_code == 401 and after.json()["error"]["code"] == "unauthenticated"


async def test_a_lookup_that_fails_is_503_not_a_401_that_would_sign_the_user_out(
    make_gateway: GatewayFactory, issuer: FirebaseTestIssuer, accounts: AccountsServer
) -> None:
    headers = {"Authorization": f"Bearer {issuer.token(uid=f'u-{uuid.uuid4().hex}')}"}
    with make_gateway() as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
            accounts.failing = True
            try:
                response = await client.get("/v1/catalog", headers=headers)
            finally:
                accounts.failing = False
            later = await client.get("/v1/catalog", headers=headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert later.status_code == 200  # the failure was not cached either way
