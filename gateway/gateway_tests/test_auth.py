"""Firebase ID tokens are verified through firebase-admin's real signature path; only valid ones get through."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import firebase_admin._token_gen
import httpx
import jwt
import pytest
from storyscape_devtools import testing
from storyscape_devtools.testing import LiveServer, free_port

from gateway_tests.conftest import GatewayFactory, Upstream
from gateway_tests.utils.cert_server import CertServer
from gateway_tests.utils.firebase_tokens import FirebaseTestIssuer, unsigned_token, with_claims
from storyscape_common.internal_auth import MAX_TTL_SECONDS

NOW = int(time.time())


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert error["request_id"] == response.headers["x-request-id"]


async def test_valid_token_reaches_the_service_as_a_signed_internal_identity(
    gateway: LiveServer, issuer: FirebaseTestIssuer, keys: testing.TestKeys
) -> None:
    token = issuer.token(uid="firebase-uid-42")
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/v1/catalog", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "rq-1"})

    assert response.status_code == 200
    seen = response.json()
    assert seen["service"] == "prompt-service"
    assert seen["user_id"] == "firebase-uid-42"
    assert seen["issuer"] == "storyscape:gateway"
    assert seen["request_id"] == "rq-1"
    internal = keys.verifier("prompt-service")
    assert internal.verify(seen["token"]).user_id == "firebase-uid-42"
    claims = jwt.decode(seen["token"], options={"verify_signature": False})
    assert claims["aud"] == "prompt-service"
    assert 0 < claims["exp"] - claims["iat"] <= MAX_TTL_SECONDS
    assert token not in str(seen["headers"])


@pytest.fixture(scope="module")
def bad_tokens(issuer: FirebaseTestIssuer) -> dict[str, str]:
    """Every kind of token the gateway must refuse, by name."""
    stranger = FirebaseTestIssuer.create(project_id=issuer.project_id)
    valid = issuer.token(uid="user-1")
    return {
        "malformed": "not-a-jwt",
        "garbage segments": "a.b.c",
        "expired": issuer.token(iat=NOW - 7200, exp=NOW - 3600, auth_time=NOW - 7200),
        "issued in the future": issuer.token(iat=NOW + 3600, exp=NOW + 7200),
        "wrong audience": issuer.token(aud="another-project"),
        "wrong issuer": issuer.token(iss="https://securetoken.google.com/another-project"),
        "empty subject": issuer.token(uid=""),
        "alg none": unsigned_token(header={"alg": "none", "typ": "JWT", "kid": issuer.kid}, claims=issuer.claims(uid="user-1")),
        "no kid": unsigned_token(header={"alg": "RS256", "typ": "JWT"}, claims=issuer.claims(uid="user-1")),
        "tampered": with_claims(valid, issuer.claims(uid="someone-else")),
        "unknown kid": stranger.token(kid="unknown-key-id"),
        "known kid, other key": stranger.token(kid=issuer.kid),
        "oversized": "x" * 20_000,
    }


@pytest.mark.parametrize(
    "case",
    [
        "malformed",
        "garbage segments",
        "expired",
        "issued in the future",
        "wrong audience",
        "wrong issuer",
        "empty subject",
        "alg none",
        "no kid",
        "tampered",
        "unknown kid",
        "known kid, other key",
        "oversized",
    ],
)
async def test_bad_tokens_are_refused_before_any_service_sees_them(
    gateway: LiveServer, bad_tokens: dict[str, str], upstreams: dict[str, Upstream], case: str
) -> None:
    probe_id = uuid.uuid4().hex
    token = bad_tokens[case]
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/v1/catalog", params={"probe": probe_id}, headers={"Authorization": f"Bearer {token}"})

    assert_unauthenticated(response)
    assert upstreams["prompt-service"].probes.get(probe_id).hits == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
async def test_requests_without_a_bearer_token_are_refused(gateway: LiveServer, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.post("/v1/stories", json={"prompt": "a cat"}, headers=headers)
    assert_unauthenticated(response)


async def test_unknown_v1_paths_are_not_found_with_or_without_a_token(gateway: LiveServer, bearer: Callable[..., dict[str, str]]) -> None:
    # The public route table is public (the OpenAPI document): a 404 before the token check tells nobody anything.
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        anonymous = await client.get("/v1/nowhere")
        signed_in = await client.get("/v1/nowhere", headers=bearer())
    assert [anonymous.status_code, signed_in.status_code] == [404, 404]
    assert signed_in.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"])
async def test_operational_paths_need_no_token(gateway: LiveServer, path: str) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get(path)
    assert response.status_code == 200


async def test_certificates_are_fetched_once_then_cached(
    make_gateway: GatewayFactory, cert_server: CertServer, bearer: Callable[..., dict[str, str]]
) -> None:
    with make_gateway() as fresh_gateway:
        before = cert_server.hits
        async with httpx.AsyncClient(base_url=fresh_gateway.url) as client:
            for _ in range(3):
                assert (await client.get("/v1/catalog", headers=bearer())).status_code == 200
    assert cert_server.hits == before + 1


async def test_a_service_refuses_calls_that_go_around_the_gateway(
    upstreams: dict[str, Upstream], issuer: FirebaseTestIssuer, keys: testing.TestKeys
) -> None:
    attempts: list[dict[str, Any]] = [
        {},
        {"Authorization": f"Bearer {issuer.token(uid='user-1')}"},
        keys.bearer(user_id="user-1", audience="history-service"),
    ]
    async with httpx.AsyncClient(base_url=upstreams["prompt-service"].server.url) as client:
        for headers in attempts:
            assert_unauthenticated(await client.get("/v1/catalog", headers=headers))


async def test_unreachable_certificates_are_503_not_a_401_that_would_sign_the_user_out(
    make_gateway: GatewayFactory, bearer: Callable[..., dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK reads the URL when a gateway verifies its first token, so only this fresh gateway sees the dead one.
    monkeypatch.setattr(firebase_admin._token_gen, "ID_TOKEN_CERT_URI", f"http://127.0.0.1:{free_port()}/certs")
    with make_gateway() as fresh_gateway:
        async with httpx.AsyncClient(base_url=fresh_gateway.url) as client:
            response = await client.get("/v1/catalog", headers=bearer())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
