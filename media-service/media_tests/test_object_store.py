"""What every object store does, checked on the local directory and on S3 (MiniStack) alike."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from media_service.storage import ObjectStore
from media_service.storage.errors import InvalidContentType, InvalidObjectKey, ObjectNotFound
from media_tests.utils.urls import seconds_until_expiry, tampered_signature

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # binary, with newlines inside

BAD_KEYS = [
    "",
    "../secret",
    "a/../../b",
    "/etc/passwd",
    "a//b",
    "a/./b",
    ".hidden",
    "a/",
    "with space",
    "ключ",
    "a\nb",
    "back\\slash",
    "x" * 256,
    "/".join(["abcdefgh"] * 120),
]


async def test_put_get_exists_delete(store: ObjectStore, object_key: str) -> None:
    assert not await store.exists(object_key)
    await store.put(object_key, PNG_BYTES, content_type="image/png")
    assert await store.exists(object_key)
    stored = await store.get(object_key)
    assert (stored.data, stored.content_type) == (PNG_BYTES, "image/png")

    await store.put(object_key, b"RIFF....WAVE", content_type="audio/wav")
    stored = await store.get(object_key)
    assert (stored.data, stored.content_type) == (b"RIFF....WAVE", "audio/wav")

    await store.delete(object_key)
    assert not await store.exists(object_key)
    with pytest.raises(ObjectNotFound) as missing:
        await store.get(object_key)
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    await store.delete(object_key)  # deleting twice is fine, as in S3


async def test_keys_lists_everything_under_a_prefix_and_nothing_beside_it(store: ObjectStore, object_key: str) -> None:
    folder = object_key.rsplit("/", 1)[0]
    inside = [f"{folder}/a.png", f"{folder}/deeper/b.png", f"{folder}/deeper/more/c.png"]
    beside = [f"{folder}x/d.png", f"{folder}-other.png"]
    await asyncio.gather(*(store.put(key, PNG_BYTES, content_type="image/png") for key in inside + beside))
    assert sorted(await store.keys(folder + "/")) == sorted(inside)
    assert await store.keys(f"{folder}/nothing-here/") == []
    for bad in (folder, "../x/", "/"):
        with pytest.raises(InvalidObjectKey):
            await store.keys(bad)


async def test_empty_object_round_trips(store: ObjectStore, object_key: str) -> None:
    await store.put(object_key, b"", content_type="text/plain; charset=utf-8")
    stored = await store.get(object_key)
    assert (stored.data, stored.content_type) == (b"", "text/plain; charset=utf-8")


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_bad_keys_are_refused_with_400(store: ObjectStore, key: str) -> None:
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: store.put(key, b"x", content_type="text/plain"),
        lambda: store.get(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: store.url(key, expires_in=60),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidObjectKey) as refused:
            await attempt()
        assert (refused.value.status, refused.value.code) == (400, "invalid_request")


@pytest.mark.parametrize("content_type", ["", "png", "image/png\r\nX-Evil: 1", "image/" + "p" * 300])
async def test_bad_content_types_are_refused_with_400(store: ObjectStore, object_key: str, content_type: str) -> None:
    with pytest.raises(InvalidContentType) as refused:
        await store.put(object_key, b"x", content_type=content_type)
    assert refused.value.status == 400
    assert not await store.exists(object_key)


async def test_url_serves_the_bytes_to_a_plain_http_client(store: ObjectStore, object_key: str) -> None:
    await store.put(object_key, PNG_BYTES, content_type="image/png")
    url = await store.url(object_key, expires_in=300)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == PNG_BYTES
    assert response.headers["content-type"] == "image/png"


async def test_expired_url_is_refused(store: ObjectStore, object_key: str) -> None:
    await store.put(object_key, PNG_BYTES, content_type="image/png")
    # S3 counts from the signing time truncated to the second, so a 1-second link may be dead on arrival.
    url = await store.url(object_key, expires_in=2)
    async with httpx.AsyncClient() as client:
        assert (await client.get(url)).status_code == 200
        await asyncio.sleep(seconds_until_expiry(url) + 0.2)
        response = await client.get(url)
    assert response.status_code == 403
    assert PNG_BYTES not in response.content


async def test_tampered_url_is_refused(store: ObjectStore, object_key: str) -> None:
    await store.put(object_key, PNG_BYTES, content_type="image/png")
    url = await store.url(object_key, expires_in=300)
    async with httpx.AsyncClient() as client:
        response = await client.get(tampered_signature(url))
    assert response.status_code == 403


async def test_url_for_one_object_cannot_be_edited_to_open_another(store: ObjectStore, object_key: str) -> None:
    other_key = object_key.replace("picture.png", "private.png")
    await store.put(object_key, b"public", content_type="image/png")
    await store.put(other_key, b"SOMEONE ELSE'S PICTURE", content_type="image/png")
    url = await store.url(object_key, expires_in=300)
    async with httpx.AsyncClient() as client:
        response = await client.get(url.replace("picture.png", "private.png"))
    assert response.status_code == 403
    assert b"SOMEONE ELSE'S PICTURE" not in response.content


async def test_url_of_a_missing_object_answers_404(store: ObjectStore, object_key: str) -> None:
    url = await store.url(object_key, expires_in=300)
    async with httpx.AsyncClient() as client:
        assert (await client.get(url)).status_code == 404


@pytest.mark.parametrize("expires_in", [0, -5, 7 * 24 * 3600 + 1])
async def test_url_lifetime_must_be_one_second_to_seven_days(store: ObjectStore, object_key: str, expires_in: int) -> None:
    with pytest.raises(ValueError):
        await store.url(object_key, expires_in=expires_in)
