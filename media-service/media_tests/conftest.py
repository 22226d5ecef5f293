"""Shared fixtures: a MiniStack S3 server for the session, a live local-store app, and both stores."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aioboto3
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port, new_test_keys

from media_service.main import create_app
from media_service.settings import Settings
from media_service.storage import ObjectStore, S3ObjectStore, create_object_store, s3_location
from media_tests.utils.live import LocalMediaServer
from media_tests.utils.ministack import MiniStackServer, S3Credentials, ensure_ministack
from media_tests.utils.settings import local_settings, s3_settings


@pytest.fixture(scope="session")
def test_keys() -> TestKeys:
    return new_test_keys()


@pytest.fixture(scope="session")
def ministack() -> Iterator[MiniStackServer]:
    server = MiniStackServer()
    try:
        server.start(ensure_ministack())
        print(f"\nMiniStack ready in {server.startup_seconds:.2f} s on {server.root.endpoint_url}")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_credentials(ministack: MiniStackServer) -> S3Credentials:
    """An IAM user's key with `s3:*`: unlike the root key, MiniStack checks its signatures."""
    return asyncio.run(ministack.create_s3_user(name="media-service"))


async def create_bucket(credentials: S3Credentials, name: str) -> None:
    session = aioboto3.Session(
        region_name=credentials.region, aws_access_key_id=credentials.access_key_id, aws_secret_access_key=credentials.secret_access_key
    )
    async with session.client("s3", endpoint_url=credentials.endpoint_url) as s3:
        await s3.create_bucket(Bucket=name)


@pytest.fixture(scope="session")
def s3_bucket(s3_credentials: S3Credentials) -> str:
    name = f"media-test-{uuid.uuid4().hex[:8]}"
    asyncio.run(create_bucket(s3_credentials, name))
    return name


@pytest.fixture(scope="session")
def local_media_server(test_keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalMediaServer]:
    """media-service on the local store, serving its signed URLs on a loopback port."""
    port = free_port()
    settings = local_settings(keys=test_keys, local_dir=tmp_path_factory.mktemp("media"), public_base_url=f"http://127.0.0.1:{port}")
    with LiveServer(create_app(settings), port=port) as live:
        yield LocalMediaServer(settings=settings, url=live.url)


@pytest.fixture(params=["local", "s3"])
def store_settings(request: pytest.FixtureRequest, test_keys: TestKeys) -> Settings:
    """Settings for each implementation; the local store's URLs are served by a live app."""
    if request.param == "local":
        server: LocalMediaServer = request.getfixturevalue("local_media_server")
        return server.settings
    return s3_settings(keys=test_keys, credentials=request.getfixturevalue("s3_credentials"), bucket=request.getfixturevalue("s3_bucket"))


@pytest.fixture(scope="session")
def aws_session() -> aioboto3.Session:
    """One aioboto3 session for every S3 store in the run: each new one reloads botocore's models (~0.3 s)."""
    return aioboto3.Session()


@pytest.fixture
async def store(store_settings: Settings, aws_session: aioboto3.Session) -> AsyncIterator[ObjectStore]:
    """The store those settings pick, opened in this test's event loop."""
    object_store: ObjectStore = (
        S3ObjectStore(location=s3_location(store_settings), session=aws_session)
        if store_settings.object_store == "s3"
        else create_object_store(store_settings)
    )
    await object_store.start()
    try:
        yield object_store
    finally:
        await object_store.close()


@pytest.fixture
def object_key() -> str:
    """A fresh key per test, so tests sharing a bucket or directory never see each other's objects."""
    return f"tests/{uuid.uuid4().hex}/picture.png"


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"
