"""`/readyz` follows the object store; `/healthz` and `/metrics` stay open."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from storyscape_devtools.testing import LiveServer, TestKeys

from media_service.main import create_app
from media_service.settings import Settings
from media_tests.utils.ministack import S3Credentials
from media_tests.utils.settings import local_settings, s3_settings


async def readiness(settings: Settings) -> httpx.Response:
    with LiveServer(create_app(settings)) as live:
        async with httpx.AsyncClient(base_url=live.url) as client:
            assert (await client.get("/healthz")).status_code == 200
            return await client.get("/readyz")


async def test_ready_on_a_writable_local_directory(test_keys: TestKeys, media_dir: Path) -> None:
    response = await readiness(local_settings(keys=test_keys, local_dir=media_dir))
    assert response.status_code == 200
    assert response.json()["checks"] == {"object_store": "ok", "database": "ok"}
    assert await asyncio.to_thread(media_dir.is_dir)


async def test_not_ready_when_the_local_directory_is_unusable(test_keys: TestKeys, tmp_path: Path) -> None:
    occupied = tmp_path / "file"
    occupied.write_text("not a directory")
    settings = local_settings(keys=test_keys, local_dir=occupied)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)  # no lifespan: start-up would fail on the same directory
    async with httpx.AsyncClient(transport=transport, base_url="http://media") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert response.json()["checks"]["object_store"].startswith("error")


async def test_ready_on_s3(test_keys: TestKeys, s3_credentials: S3Credentials, s3_bucket: str) -> None:
    response = await readiness(s3_settings(keys=test_keys, credentials=s3_credentials, bucket=s3_bucket))
    assert response.status_code == 200


async def test_not_ready_when_s3_refuses_our_key(test_keys: TestKeys, s3_credentials: S3Credentials, s3_bucket: str) -> None:
    settings = s3_settings(
        keys=test_keys, credentials=s3_credentials, bucket=s3_bucket, s3_secret_access_key="wrong-" + s3_credentials.secret_access_key
    )
    response = await readiness(settings)
    assert response.status_code == 503
    assert response.json()["checks"]["object_store"] == "error: ObjectStoreAccessDenied"
    assert s3_credentials.secret_access_key not in response.text


async def test_s3_app_does_not_serve_local_links(test_keys: TestKeys, s3_credentials: S3Credentials, s3_bucket: str) -> None:
    settings = s3_settings(keys=test_keys, credentials=s3_credentials, bucket=s3_bucket)
    with LiveServer(create_app(settings)) as live:
        async with httpx.AsyncClient(base_url=live.url) as client:
            response = await client.get("/v1/media/objects/a.png", params={"expires": "1", "signature": "x"})
    assert response.status_code == 404
