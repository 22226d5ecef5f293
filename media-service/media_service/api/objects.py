"""`GET /v1/media/objects/{key}`: serves the local store's objects to holders of a signed URL."""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from media_service.api.deps import ObjectStoreDep
from media_service.storage import LocalObjectStore
from media_service.storage.errors import ObjectNotFound

# No internal token here: the URL's signature is the authorisation (see create_app's open_prefixes).
router = APIRouter(prefix="/v1/media/objects", tags=["objects"])


@router.get(
    "/{key:path}",
    summary="Fetch an object through a signed URL",
    response_class=Response,
    responses={
        200: {"description": "The object's bytes, with its content type", "content": {"application/octet-stream": {}}},
        400: {"description": "The key is not a valid object key"},
        403: {"description": "The signature is missing, wrong, or expired"},
        404: {"description": "No such object"},
    },
)
async def signed_object(
    key: str,
    store: ObjectStoreDep,
    expires: Annotated[str | None, Query(description="Expiry, unix seconds")] = None,
    signature: Annotated[str | None, Query(description="HMAC-SHA256 of the key and expiry")] = None,
) -> Response:
    if not isinstance(store, LocalObjectStore):
        raise ObjectNotFound()  # S3 serves its own presigned URLs; this route exists for the local store only.
    stored = await store.open_signed(key, expires=expires, signature=signature)
    max_age = max(0, math.floor(int(expires or 0) - time.time()))
    headers = {"Cache-Control": f"private, max-age={max_age}", "X-Content-Type-Options": "nosniff"}
    return Response(stored.data, media_type=stored.content_type, headers=headers)
