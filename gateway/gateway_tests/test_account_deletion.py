"""Account deletion at the gateway: the status URL's ticket (unforgeable, no internal token either way), a deleted
account's tokens refused at once by the gateway that took the request, and the status route open without a token.
The whole flow, across every service and the emulator, is gateway_tests/e2e/test_account_deletion_end_to_end.py."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from storyscape_devtools.testing import TestKeys

from gateway.account_deletion import STATUS_PATH_PREFIX, TICKET_AUDIENCE, DeletionTickets
from gateway.firebase import FirebaseUser, FirebaseVerifier
from gateway.settings import Settings
from gateway_tests.conftest import PROJECT_ID, GatewayFactory
from storyscape_common.internal_auth import InvalidInternalToken
from storyscape_common.registry import SERVICES


def tickets(keys: TestKeys, issuer: str = "gateway") -> DeletionTickets:
    return DeletionTickets(keys.signer(issuer))


def test_a_ticket_names_its_user_and_nothing_else_passes_for_one(keys: TestKeys) -> None:
    ticket = tickets(keys).issue("alice")
    assert tickets(keys).user_of(ticket) == "alice"
    header, claims, signature = ticket.split(".")
    tampered = f"{header}.{claims}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    now = int(time.time())
    expired = keys.signer("gateway").sign_claims(
        {"iss": "storyscape:gateway", "aud": TICKET_AUDIENCE, "sub": "alice", "iat": now - 100, "exp": now - 10}
    )
    internal = keys.signer("gateway").sign(user_id="alice", audience="story-service", request_id="r")
    for forged in (tampered, expired, internal, tickets(keys, "story-service").issue("alice"), "garbage", ""):
        assert tickets(keys).user_of(forged) is None
    # Nor does any service take a ticket for an internal token.
    for service in SERVICES:
        with pytest.raises(InvalidInternalToken):
            keys.verifier(service.name).verify(ticket)
    assert jwt.decode(ticket, options={"verify_signature": False})["exp"] - now >= 29 * 86400


def test_a_deleted_users_tokens_leave_the_cache_and_are_not_cached_again(keys: TestKeys) -> None:
    settings = Settings(environment="test", firebase_project_id=PROJECT_ID, internal_signing_key=keys.private_pem())
    verifier = FirebaseVerifier(settings=settings)
    cache = verifier.cache
    verifier.close()
    exp = time.time() + 3600
    alice, bob = FirebaseUser("alice", {"exp": exp}), FirebaseUser("bob", {"exp": exp})
    for token, user in (("a1", alice), ("a2", alice), ("b1", bob)):
        cache.put(cache.key(token), user)
    cache.forget_user("alice")
    assert [cache.get(cache.key(token)) for token in ("a1", "a2", "b1")] == [None, None, bob]
    cache.put(cache.key("a3"), alice)
    assert cache.get(cache.key("a3")) is None and cache.is_deleted("alice") and not cache.is_deleted("bob")


async def test_the_status_url_needs_no_token_and_a_forged_one_is_not_found(make_gateway: GatewayFactory, keys: TestKeys) -> None:
    with make_gateway() as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            forged = await client.get(STATUS_PATH_PREFIX + tickets(keys, "story-service").issue("alice"))
            unsigned = await client.delete("/v1/me")
    assert forged.status_code == 404 and forged.json()["error"]["code"] == "not_found"
    assert unsigned.status_code == 401
