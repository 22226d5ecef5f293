"""Internal tokens: the key (`kid`) decides the issuer, and the issuer decides which services it may call."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from storyscape_devtools.testing import TestKeys, new_test_keys

from storyscape_common.internal_auth import (
    InternalTokenSigner,
    InvalidInternalToken,
    ensure_dev_keys,
    key_id,
    read_public_keys,
)
from storyscape_common.registry import SERVICES


def forged(keys: TestKeys, *, signed_by: str, kid_of: str | None = None, **claims: Any) -> str:
    """A token signed with `signed_by`'s private key, with any header `kid` and claims we like."""
    now = int(time.time())
    payload = {"iss": "storyscape:gateway", "sub": "uid", "aud": "history-service", "iat": now, "exp": now + 60} | claims
    signer = keys.signer(signed_by)
    kid = keys.signer(kid_of).kid if kid_of else signer.kid
    return jwt.encode(payload, signer._key, algorithm="EdDSA", headers={"kid": kid})


def test_a_signed_token_carries_the_user_request_and_the_issuer_its_key_belongs_to(keys: TestKeys) -> None:
    token = keys.signer("gateway").sign(user_id="uid-1", audience="history-service", request_id="r-1")
    identity = keys.verifier("history-service").verify(token)
    assert (identity.user_id, identity.request_id, identity.issuer) == ("uid-1", "r-1", "storyscape:gateway")
    assert identity.issued_by("gateway") and not identity.issued_by("story-service")


def test_a_token_for_another_service_is_refused(keys: TestKeys) -> None:
    token = keys.signer().sign(user_id="uid-1", audience="media-service", request_id="r")
    with pytest.raises(InvalidInternalToken):
        keys.verifier("history-service").verify(token)


def test_a_token_signed_by_an_unknown_key_is_refused(keys: TestKeys) -> None:
    token = new_test_keys().signer().sign(user_id="uid-1", audience="history-service", request_id="r")
    with pytest.raises(InvalidInternalToken, match="trusted"):
        keys.verifier("history-service").verify(token)


@pytest.mark.parametrize("audience", [info.name for info in SERVICES if info.name != "gateway"])
def test_story_service_key_claiming_the_gateway_issuer_is_refused_by_every_service(keys: TestKeys, audience: str) -> None:
    token = forged(keys, signed_by="story-service", iss="storyscape:gateway", aud=audience)
    with pytest.raises(InvalidInternalToken):
        keys.verifier(audience).verify(token)


def test_a_story_service_signature_under_the_gateway_kid_is_refused(keys: TestKeys) -> None:
    token = forged(keys, signed_by="story-service", kid_of="gateway", iss="storyscape:gateway")
    with pytest.raises(InvalidInternalToken):
        keys.verifier("history-service").verify(token)


def test_an_issuer_may_only_address_the_services_the_registry_allows(keys: TestKeys) -> None:
    # The gateway never calls the model server directly; story-service does.
    gateway_token = keys.signer("gateway").sign(user_id="u", audience="hindi-llm-service", request_id="r")
    with pytest.raises(InvalidInternalToken, match="may not call"):
        keys.verifier("hindi-llm-service").verify(gateway_token)
    story_token = keys.signer("story-service").sign(user_id="u", audience="hindi-llm-service", request_id="r")
    assert keys.verifier("hindi-llm-service").verify(story_token).issued_by("story-service")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 60},  # expired
        {"exp": int(time.time()) + 3600},  # lives longer than the internal maximum
        {"sub": ""},  # no user
        {"iss": "someone-else"},  # not the issuer its key belongs to
        {"iss": "storyscape:story-service"},  # another of ours, but not this key's
    ],
)
def test_tokens_with_bad_claims_are_refused(keys: TestKeys, claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidInternalToken):
        keys.verifier("history-service").verify(forged(keys, signed_by="gateway", **claims))


def test_an_unsigned_token_is_refused(keys: TestKeys) -> None:
    now = int(time.time())
    payload = {"iss": "storyscape:gateway", "sub": "uid", "aud": "history-service", "iat": now, "exp": now + 60}
    token = jwt.encode(payload, key="", algorithm="none", headers={"kid": keys.signer().kid})
    with pytest.raises(InvalidInternalToken):
        keys.verifier("history-service").verify(token)


def test_signers_refuse_long_lived_tokens(keys: TestKeys) -> None:
    with pytest.raises(ValueError):
        InternalTokenSigner(private_key_pem=keys.private_pem(), issuer="gateway", ttl_seconds=3600)


def test_dev_keys_are_private_from_the_start_and_one_per_issuer(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    paths = ensure_dev_keys(directory, ("gateway", "story-service"))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for private_path, _ in paths.values():
        assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    public = read_public_keys(directory / "public")
    assert sorted(public) == ["gateway", "story-service"]
    assert public["gateway"] != public["story-service"]
    # A second call keeps the keys (services already trust them).
    assert ensure_dev_keys(directory, ("gateway",))["gateway"][0].read_text() == paths["gateway"][0].read_text()


def test_key_ids_differ_per_key(keys: TestKeys) -> None:
    assert keys.signer("gateway").kid != keys.signer("story-service").kid
    assert keys.signer("gateway").kid == key_id(keys.signer("gateway")._key.public_key())
