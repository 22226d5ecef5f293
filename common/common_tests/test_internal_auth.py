import time

import jwt
import pytest
from storyscape_devtools.testing import new_test_keys

from storyscape_common.internal_auth import InternalTokenSigner, InternalTokenVerifier, InvalidInternalToken


@pytest.fixture(scope="module")
def keys():
    return new_test_keys()


def test_a_signed_token_carries_the_user_and_request(keys):
    token = keys.signer().sign(user_id="uid-1", audience="history-service", request_id="r-1")
    identity = InternalTokenVerifier(public_key_pem=keys.public_pem, audience="history-service").verify(token)
    assert (identity.user_id, identity.request_id, identity.issuer) == ("uid-1", "r-1", "storyscape:gateway")


def test_a_token_for_another_service_is_refused(keys):
    token = keys.signer().sign(user_id="uid-1", audience="media-service", request_id="r")
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(public_key_pem=keys.public_pem, audience="history-service").verify(token)


def test_a_token_signed_by_another_key_is_refused(keys):
    token = new_test_keys().signer().sign(user_id="uid-1", audience="history-service", request_id="r")
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(public_key_pem=keys.public_pem, audience="history-service").verify(token)


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": -60},  # expired
        {"exp": 3600},  # lives longer than the internal maximum
        {"sub": ""},  # no user
        {"iss": "someone-else"},  # not one of ours
    ],
)
def test_tokens_with_bad_claims_are_refused(keys, claims):
    now = int(time.time())
    payload = {"iss": "storyscape:gateway", "sub": "uid", "aud": "history-service", "iat": now, "exp": now + 60}
    payload |= {k: (now + v if k == "exp" else v) for k, v in claims.items()}
    signer = keys.signer()
    token = jwt.encode(payload, signer._key, algorithm="EdDSA")
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(public_key_pem=keys.public_pem, audience="history-service").verify(token)


def test_an_unsigned_token_is_refused(keys):
    now = int(time.time())
    token = jwt.encode(
        {"iss": "storyscape:gateway", "sub": "uid", "aud": "history-service", "iat": now, "exp": now + 60}, key="", algorithm="none"
    )
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(public_key_pem=keys.public_pem, audience="history-service").verify(token)


def test_signers_refuse_long_lived_tokens(keys):
    with pytest.raises(ValueError):
        InternalTokenSigner(private_key_pem=keys.private_pem, issuer="gateway", ttl_seconds=3600)
