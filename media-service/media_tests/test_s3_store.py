"""What only the S3 store has: credentials MiniStack really checks, bucket creation, an unreachable endpoint."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import aioboto3
import pytest
from storyscape_devtools.testing import TestKeys, free_port

from media_service.storage import S3Location, S3ObjectStore, s3_location
from media_service.storage.errors import ObjectStoreAccessDenied, ObjectStoreUnavailable
from media_tests.utils.ministack import S3Credentials
from media_tests.utils.settings import s3_settings


@asynccontextmanager
async def opened(store: S3ObjectStore) -> AsyncIterator[S3ObjectStore]:
    await store.start()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def location(test_keys: TestKeys, s3_credentials: S3Credentials, s3_bucket: str) -> S3Location:
    return s3_location(s3_settings(keys=test_keys, credentials=s3_credentials, bucket=s3_bucket))


async def test_wrong_secret_key_is_refused_as_our_error(location: S3Location, aws_session: aioboto3.Session, object_key: str) -> None:
    wrong = replace(location, secret_access_key=location.secret_access_key[::-1])
    async with opened(S3ObjectStore(location=wrong, session=aws_session)) as store:
        for attempt in (
            lambda: store.put(object_key, b"x", content_type="image/png"),
            lambda: store.get(object_key),
            lambda: store.check(),
        ):
            with pytest.raises(ObjectStoreAccessDenied) as denied:
                await attempt()
            assert (denied.value.status, denied.value.code) == (503, "upstream_unavailable")
            assert wrong.secret_access_key not in denied.value.message


async def test_unknown_access_key_is_refused(location: S3Location, aws_session: aioboto3.Session) -> None:
    unknown = replace(location, access_key_id="AKIA" + uuid.uuid4().hex[:16].upper())
    async with opened(S3ObjectStore(location=unknown, session=aws_session)) as store:
        with pytest.raises(ObjectStoreAccessDenied):
            await store.check()


async def test_presigned_url_does_not_reveal_the_secret_key(location: S3Location, aws_session: aioboto3.Session, object_key: str) -> None:
    async with opened(S3ObjectStore(location=location, session=aws_session)) as store:
        url = await store.url(object_key, expires_in=60)
    assert location.access_key_id in url
    assert location.secret_access_key not in url


async def test_missing_bucket_is_created_on_start_when_asked(location: S3Location, aws_session: aioboto3.Session) -> None:
    fresh = replace(location, bucket=f"media-new-{uuid.uuid4().hex[:8]}")
    async with opened(S3ObjectStore(location=fresh, session=aws_session)) as store:
        with pytest.raises(ObjectStoreUnavailable, match="bucket not found"):
            await store.check()
    for _ in range(2):  # a second start finds the bucket there and leaves it be
        async with opened(S3ObjectStore(location=fresh, create_bucket=True, session=aws_session)) as store:
            await store.check()
            await store.put("a.txt", b"hello", content_type="text/plain")
    async with opened(S3ObjectStore(location=fresh, session=aws_session)) as store:
        assert (await store.get("a.txt")).data == b"hello"


async def test_unreachable_endpoint_is_unavailable(location: S3Location, aws_session: aioboto3.Session) -> None:
    nowhere = replace(location, endpoint_url=f"http://127.0.0.1:{free_port()}", max_attempts=1)
    async with opened(S3ObjectStore(location=nowhere, session=aws_session)) as store:
        with pytest.raises(ObjectStoreUnavailable) as unavailable:
            await store.get("a.txt")
    assert unavailable.value.status == 503
