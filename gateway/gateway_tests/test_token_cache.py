"""Verified ID tokens are remembered for a short while, never past their expiry, and never confused with one another."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from gateway.firebase import FirebaseUser, VerifiedTokenCache
from gateway_tests.conftest import GatewayFactory
from gateway_tests.utils.firebase_tokens import FirebaseTestIssuer, with_claims


async def test_a_token_verified_once_stops_working_when_it_expires(make_gateway: GatewayFactory, issuer: FirebaseTestIssuer) -> None:
    expires = int(time.time()) + 2
    token = issuer.token(uid="short-lived", exp=expires)
    with make_gateway(firebase_clock_skew_seconds=0) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {token}"}) as client:
            before = [(await client.get("/v1/catalog")).status_code for _ in range(3)]
            await asyncio.sleep(expires - time.time() + 1.2)  # the SDK compares whole seconds
            after = await client.get("/v1/catalog")

    assert before == [200, 200, 200]
    assert after.status_code == 401


async def test_each_token_stays_its_own_user(make_gateway: GatewayFactory, issuer: FirebaseTestIssuer) -> None:
    # A cache of one entry: every request evicts the other user's token.
    tokens = {uid: issuer.token(uid=uid) for uid in ("alice", "bob")}
    with make_gateway(firebase_token_cache_size=1) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            seen = [
                (await client.get("/v1/catalog", headers={"Authorization": f"Bearer {tokens[uid]}"})).json()["user_id"]
                for uid in ("alice", "bob", "bob", "alice", "alice", "bob")
            ]
    assert seen == ["alice", "bob", "bob", "alice", "alice", "bob"]


async def test_a_tampered_copy_of_a_cached_token_is_still_refused(make_gateway: GatewayFactory, issuer: FirebaseTestIssuer) -> None:
    token = issuer.token(uid="victim")
    forged = with_claims(token, issuer.claims(uid="attacker"))
    with make_gateway() as gateway:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            good = await client.get("/v1/catalog", headers={"Authorization": f"Bearer {token}"})
            bad = await client.get("/v1/catalog", headers={"Authorization": f"Bearer {forged}"})
    assert good.status_code == 200
    assert bad.status_code == 401


def user(uid: str, **claims: Any) -> FirebaseUser:
    return FirebaseUser(uid=uid, claims={"exp": time.time() + 60, **claims})


def test_the_cache_keeps_the_most_recently_used_tokens_up_to_its_size() -> None:
    cache = VerifiedTokenCache(max_entries=2, ttl_seconds=60)
    keys = {name: cache.key(f"token-{name}") for name in ("a", "b", "c")}
    cache.put(keys["a"], user("a"))
    cache.put(keys["b"], user("b"))
    assert cache.get(keys["a"]) is not None  # a is now the most recent
    cache.put(keys["c"], user("c"))

    assert cache.get(keys["b"]) is None
    assert [found.uid for key in (keys["a"], keys["c"]) if (found := cache.get(key))] == ["a", "c"]


def test_an_expired_or_disabled_entry_is_never_returned() -> None:
    cache = VerifiedTokenCache(max_entries=10, ttl_seconds=60)
    cache.put(cache.key("old"), user("old", exp=time.time() - 1))
    assert cache.get(cache.key("old")) is None
    disabled = VerifiedTokenCache(max_entries=0, ttl_seconds=60)
    disabled.put(disabled.key("t"), user("t"))
    assert disabled.get(disabled.key("t")) is None


def test_an_entry_is_kept_no_longer_than_the_cache_time_even_when_the_token_lives_on() -> None:
    cache = VerifiedTokenCache(max_entries=10, ttl_seconds=0.2)
    cache.put(cache.key("t"), user("t", exp=time.time() + 3600))
    assert cache.get(cache.key("t")) is not None
    time.sleep(0.3)
    assert cache.get(cache.key("t")) is None
