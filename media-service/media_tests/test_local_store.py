"""What only the local directory store promises: where files go, and that writes are all-or-nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from storyscape_devtools.testing import TestKeys

from media_service.settings import Settings
from media_service.storage import LocalObjectStore, create_object_store
from media_service.storage.errors import ObjectKeyConflict, ObjectStoreUnavailable
from media_tests.utils.settings import local_settings


def local_store(*, keys: TestKeys, local_dir: Path) -> LocalObjectStore:
    store = create_object_store(local_settings(keys=keys, local_dir=local_dir))
    assert isinstance(store, LocalObjectStore)
    return store


async def test_default_directory_is_dot_data_media_under_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = create_object_store(Settings(_env_file=None, environment="development"))
    await store.start()
    await store.put("stories/1/cover.png", b"png", content_type="image/png")
    assert (tmp_path / ".data" / "media" / "stories" / "1" / "cover.png").is_file()


async def test_concurrent_writes_leave_one_whole_object_and_no_temp_files(test_keys: TestKeys, media_dir: Path) -> None:
    store = local_store(keys=test_keys, local_dir=media_dir)
    versions = [bytes([n]) * 200_000 for n in range(20)]
    seen: list[bytes] = []

    async def read_while_writing() -> None:
        for _ in range(50):
            if await store.exists("story/audio.wav"):
                seen.append((await store.get("story/audio.wav")).data)
            await asyncio.sleep(0)

    await asyncio.gather(read_while_writing(), *(store.put("story/audio.wav", v, content_type="audio/wav") for v in versions))
    assert (await store.get("story/audio.wav")).data in versions
    assert all(data in versions for data in seen)  # never a torn or mixed file
    assert [p.name for p in (media_dir / "story").iterdir()] == ["audio.wav"]


async def test_a_key_cannot_be_both_an_object_and_a_folder(test_keys: TestKeys, media_dir: Path) -> None:
    store = local_store(keys=test_keys, local_dir=media_dir)
    await store.put("story/cover", b"1", content_type="image/png")
    with pytest.raises(ObjectKeyConflict) as conflict:
        await store.put("story/cover/large.png", b"2", content_type="image/png")
    assert conflict.value.status == 409
    with pytest.raises(ObjectKeyConflict):
        await store.put("story", b"3", content_type="image/png")
    assert (await store.get("story/cover")).data == b"1"


async def test_unusable_directory_is_reported_unavailable(test_keys: TestKeys, tmp_path: Path) -> None:
    occupied = tmp_path / "not-a-directory"
    occupied.write_text("a file where the store should be")
    store = local_store(keys=test_keys, local_dir=occupied)
    with pytest.raises(ObjectStoreUnavailable) as unavailable:
        await store.check()
    assert (unavailable.value.status, unavailable.value.code) == (503, "upstream_unavailable")
    with pytest.raises(ObjectStoreUnavailable):
        await store.put("a.png", b"x", content_type="image/png")
