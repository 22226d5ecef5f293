"""The embedded object store: a local directory, with URLs that media-service itself serves."""

from __future__ import annotations

import asyncio
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote, urlencode

from media_service.storage.base import (
    ObjectStore,
    StoredObject,
    validate_content_type,
    validate_expiry,
    validate_key,
    validate_prefix,
)
from media_service.storage.errors import ObjectKeyConflict, ObjectNotFound, ObjectStoreUnavailable
from media_service.storage.signing import UrlSigner

OBJECTS_ROUTE = "/v1/media/objects/"


def _write_atomically(path: Path, payload: bytes) -> None:
    """Write to a temp file beside `path`, then rename: readers see the old object or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def _read_object(path: Path) -> StoredObject:
    """Each file holds one line of content type, then the bytes, so one rename publishes both."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ObjectNotFound() from None
    header, _, data = raw.partition(b"\n")
    return StoredObject(data=data, content_type=header.decode("ascii", "replace"))


def _delete_file(path: Path) -> None:
    with suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
        path.unlink()


def _files_under(root: Path, folder: Path) -> list[str]:
    """Keys of the objects below `folder`; half-written temp files (hidden names) are not objects."""
    if not folder.is_dir():
        return []
    return [path.relative_to(root).as_posix() for path in folder.rglob("*") if path.is_file() and not path.name.startswith(".")]


def _check_directory(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if not os.access(root, os.W_OK | os.X_OK):
        raise PermissionError(f"object directory {root} is not writable")


class LocalObjectStore(ObjectStore):
    """Objects as files under `root`; file I/O runs in threads so the event loop never waits on the disk."""

    def __init__(self, *, root: Path, signer: UrlSigner, public_base_url: str) -> None:
        self.root = root.absolute()
        self.signer = signer
        self.public_base_url = public_base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    async def start(self) -> None:
        await self.check()

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(key)
        payload = validate_content_type(content_type).encode("ascii") + b"\n" + data
        try:
            await asyncio.to_thread(_write_atomically, path, payload)
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
            if await asyncio.to_thread(self.root.is_dir):
                raise ObjectKeyConflict() from None
            raise ObjectStoreUnavailable("object directory unusable") from exc
        except OSError as exc:
            raise ObjectStoreUnavailable(f"object store write failed: {exc.strerror or type(exc).__name__}") from exc

    async def get(self, key: str) -> StoredObject:
        path = self._path(key)
        try:
            return await asyncio.to_thread(_read_object, path)
        except OSError as exc:
            raise ObjectStoreUnavailable(f"object store read failed: {exc.strerror or type(exc).__name__}") from exc

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(_delete_file, self._path(key))

    async def keys(self, prefix: str) -> list[str]:
        folder = self.root.joinpath(*validate_prefix(prefix)[:-1].split("/"))
        try:
            return await asyncio.to_thread(_files_under, self.root, folder)
        except OSError as exc:
            raise ObjectStoreUnavailable(f"object store listing failed: {exc.strerror or type(exc).__name__}") from exc

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def url(self, key: str, *, expires_in: int) -> str:
        expires, signature = self.signer.sign(key=validate_key(key), expires_in=validate_expiry(expires_in))
        query = urlencode({"expires": expires, "signature": signature})
        return f"{self.public_base_url}{OBJECTS_ROUTE}{quote(key)}?{query}"

    async def check(self) -> None:
        try:
            await asyncio.to_thread(_check_directory, self.root)
        except OSError as exc:
            raise ObjectStoreUnavailable(f"object directory unusable: {exc.strerror or type(exc).__name__}") from exc

    async def open_signed(self, key: str, *, expires: str | None, signature: str | None) -> StoredObject:
        """The object a signed URL names, once its signature and expiry check out."""
        validate_key(key)
        self.signer.verify(key=key, expires=expires, signature=signature)
        return await self.get(key)
