"""Object stores: the interface, its local-directory and S3 implementations, and the one settings pick."""

from __future__ import annotations

from pathlib import Path

from media_service.settings import Settings
from media_service.storage.base import ObjectStore, StoredObject
from media_service.storage.local import LocalObjectStore
from media_service.storage.s3 import S3Location, S3ObjectStore
from media_service.storage.signing import UrlSigner

__all__ = [
    "LocalObjectStore",
    "ObjectStore",
    "S3Location",
    "S3ObjectStore",
    "StoredObject",
    "create_object_store",
    "s3_location",
]


def s3_location(settings: Settings) -> S3Location:
    """The bucket, region, endpoint and credentials the `s3_*` settings name."""
    return S3Location(
        bucket=settings.s3_bucket,
        region=settings.s3_region,
        endpoint_url=settings.s3_endpoint_url,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        addressing_style=settings.s3_addressing_style,
        max_attempts=settings.s3_max_attempts,
    )


def create_object_store(settings: Settings) -> ObjectStore:
    """The store `settings.object_store` names; nothing is opened until its `start`."""
    if settings.object_store == "s3":
        return S3ObjectStore(location=s3_location(settings), create_bucket=settings.s3_create_bucket)
    return LocalObjectStore(
        root=Path(settings.local_dir),
        signer=UrlSigner(secret=settings.url_signing_secret),
        public_base_url=settings.public_base_url,
    )
