"""The production object store: an S3 bucket through aioboto3, with presigned GET URLs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import aioboto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from media_service.storage.base import (
    ObjectStore,
    StoredObject,
    validate_content_type,
    validate_expiry,
    validate_key,
    validate_prefix,
)
from media_service.storage.errors import (
    ObjectNotFound,
    ObjectStoreAccessDenied,
    ObjectStoreError,
    ObjectStoreUnavailable,
)

logger = logging.getLogger("media_service.storage.s3")

NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "InvalidToken",
        "ExpiredToken",
        "403",
    }
)


@dataclass(frozen=True, slots=True)
class S3Location:
    """Which bucket, where, and with which credentials (empty: the default AWS chain, e.g. an ECS task role)."""

    bucket: str
    region: str
    endpoint_url: str | None = None
    access_key_id: str = ""
    secret_access_key: str = ""
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    max_attempts: int = 3


def _translate(exc: ClientError, *, object_missing_is_404: bool) -> ObjectStoreError:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if code in NOT_FOUND_CODES and object_missing_is_404:
        return ObjectNotFound()
    logger.warning("object store refused a request", extra={"fields": {"s3_error_code": code}})
    if code in DENIED_CODES:
        return ObjectStoreAccessDenied()
    if code in NOT_FOUND_CODES or code == "NoSuchBucket":
        return ObjectStoreUnavailable("object store bucket not found")
    return ObjectStoreUnavailable()


@contextmanager
def s3_errors(*, object_missing_is_404: bool = True) -> Iterator[None]:
    """Turn botocore's failures into our API errors (404 missing object, 503 anything on the store's side)."""
    try:
        yield
    except ClientError as exc:
        raise _translate(exc, object_missing_is_404=object_missing_is_404) from exc
    except BotoCoreError as exc:
        logger.warning("object store unreachable", extra={"fields": {"error": type(exc).__name__}})
        raise ObjectStoreUnavailable() from exc


class S3ObjectStore(ObjectStore):
    """One long-lived aioboto3 client per app, opened in `start` and closed in `close`.

    Pass `session` to share one aioboto3 session between stores: a new session reloads botocore's models (~0.3 s).
    """

    def __init__(self, *, location: S3Location, create_bucket: bool = False, session: aioboto3.Session | None = None) -> None:
        self.location = location
        self.create_bucket = create_bucket
        self.session = session or aioboto3.Session()
        self._stack: AsyncExitStack | None = None
        self._client: Any = None

    async def start(self) -> None:
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": self.location.addressing_style},
            connect_timeout=3,
            read_timeout=30,
            retries={"max_attempts": self.location.max_attempts, "mode": "standard"},
        )
        self._stack = AsyncExitStack()
        client_context = self.session.client(
            "s3",
            region_name=self.location.region,
            endpoint_url=self.location.endpoint_url,
            aws_access_key_id=self.location.access_key_id or None,
            aws_secret_access_key=self.location.secret_access_key or None,
            config=config,
        )
        try:
            self._client = await self._stack.enter_async_context(client_context)
            if self.create_bucket:
                await self._ensure_bucket()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
        self._stack, self._client = None, None

    @property
    def client(self) -> Any:
        if self._client is None:
            raise ObjectStoreUnavailable("object store not started")
        return self._client

    async def _ensure_bucket(self) -> None:
        """Create the bucket if it is missing (for MiniStack and first deployments)."""
        try:
            await self.client.head_bucket(Bucket=self.location.bucket)
            return
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) not in NOT_FOUND_CODES | {"NoSuchBucket"}:
                raise _translate(exc, object_missing_is_404=False) from exc
        extra: dict[str, Any] = {}
        if self.location.region != "us-east-1":
            extra["CreateBucketConfiguration"] = {"LocationConstraint": self.location.region}
        try:
            await self.client.create_bucket(Bucket=self.location.bucket, **extra)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                raise _translate(exc, object_missing_is_404=False) from exc

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        params = {
            "Bucket": self.location.bucket,
            "Key": validate_key(key),
            "Body": data,
            "ContentType": validate_content_type(content_type),
        }
        with s3_errors():
            await self.client.put_object(**params)

    async def get(self, key: str) -> StoredObject:
        with s3_errors():
            response = await self.client.get_object(Bucket=self.location.bucket, Key=validate_key(key))
            async with response["Body"] as body:
                data = await body.read()
        return StoredObject(data=data, content_type=response.get("ContentType") or "application/octet-stream")

    async def delete(self, key: str) -> None:
        with s3_errors():
            await self.client.delete_object(Bucket=self.location.bucket, Key=validate_key(key))

    async def keys(self, prefix: str) -> list[str]:
        found: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        with s3_errors(object_missing_is_404=False):
            async for page in paginator.paginate(Bucket=self.location.bucket, Prefix=validate_prefix(prefix)):
                found.extend(item["Key"] for item in page.get("Contents", []))
        return found

    async def exists(self, key: str) -> bool:
        try:
            with s3_errors():
                await self.client.head_object(Bucket=self.location.bucket, Key=validate_key(key))
        except ObjectNotFound:
            return False
        return True

    async def url(self, key: str, *, expires_in: int) -> str:
        params = {"Bucket": self.location.bucket, "Key": validate_key(key)}
        with s3_errors():
            url: str = await self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=validate_expiry(expires_in))
        return url

    async def check(self) -> None:
        with s3_errors(object_missing_is_404=False):
            await self.client.head_bucket(Bucket=self.location.bucket)
