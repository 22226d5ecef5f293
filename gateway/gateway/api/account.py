"""`DELETE /v1/me` and its status URL: the gateway takes the request, story-service runs the deletion job.

story-service keeps the job (the gateway keeps nothing); see story-service/story_service/account_deletion.py for
what it deletes, in which order, and why.
"""

from __future__ import annotations

import aiohttp
from fastapi import APIRouter

from gateway.account_deletion import STATUS_PATH_PREFIX, DeletionTickets
from gateway.api.deps import CurrentUser, RequestId, Resources, Signer, Upstreams
from gateway.upstreams import Upstream
from storyscape_common.contracts.account import AccountDeletionAccepted, AccountDeletionStatus
from storyscape_common.contracts.errors import error_responses
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import InternalTokenSigner
from storyscape_common.registry import STORY_SERVICE

router = APIRouter(tags=["account"])
JOB_PATH = "/internal/me/deletion"


async def deletion_job(
    method: str, *, user_id: str, request_id: str, signer: InternalTokenSigner, upstream: Upstream
) -> AccountDeletionStatus:
    """Record (POST) or read (GET) the user's deletion job at story-service."""
    token = signer.sign(user_id=user_id, audience=STORY_SERVICE, request_id=request_id)
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": request_id}
    try:
        async with upstream.session.request(method, f"{upstream.base_url}{JOB_PATH}", headers=headers) as response:
            body = await response.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ApiError(503, "upstream_unavailable", f"{STORY_SERVICE} is unavailable", headers={"Retry-After": "5"}) from exc
    if response.status >= 300:
        raise ApiError(502, "upstream_unavailable", f"{STORY_SERVICE} failed ({response.status})")
    return AccountDeletionStatus.model_validate_json(body)


@router.delete(
    "/v1/me",
    status_code=202,
    summary="Delete the reader's account: every story, picture, narration, photo, setting, genre, saved prompt and "
    "suggestion, and the Firebase user; poll `status_url` until `done`",
    description="The deletion is recorded before this answers and finishes even if a service is down now. The "
    "account's ID tokens are refused from this moment (sign the reader out). `status_url` needs no token. "
    "Asking again while it runs changes nothing.",
    responses=error_responses(401, 502, 503),
)
async def delete_account(
    user: CurrentUser, request_id: RequestId, signer: Signer, upstreams: Upstreams, resources: Resources
) -> AccountDeletionAccepted:
    status = await deletion_job("POST", user_id=user.uid, request_id=request_id, signer=signer, upstream=upstreams[STORY_SERVICE])
    # Other gateways refuse the account's tokens once their cached check expires and Firebase has no such user.
    resources.firebase.cache.forget_user(user.uid)
    return AccountDeletionAccepted(status=status.status, status_url=STATUS_PATH_PREFIX + DeletionTickets(signer).issue(user.uid))


@router.get(
    STATUS_PATH_PREFIX + "{ticket}",
    summary="Whether an account deletion is still `pending` or `done` (no token: the URL from `DELETE /v1/me` is its own key)",
    responses=error_responses(404, 502, 503),
    openapi_extra={"security": []},
)
async def deletion_status(ticket: str, request_id: RequestId, signer: Signer, upstreams: Upstreams) -> AccountDeletionStatus:
    user_id = DeletionTickets(signer).user_of(ticket)
    if user_id is None:
        raise ApiError(404, "not_found", "no such account deletion (or its status URL expired)")
    return await deletion_job("GET", user_id=user_id, request_id=request_id, signer=signer, upstream=upstreams[STORY_SERVICE])
