"""Account deletion, as the gateway asks for it (`DELETE /v1/me` and its status URL): internal routes only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from story_service.account_deletion import AccountDeletions
from storyscape_common.contracts.account import AccountDeletionStatus
from storyscape_common.contracts.errors import error_responses
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity
from storyscape_common.registry import GATEWAY

router = APIRouter(prefix="/internal/me", tags=["internal"])


def account_deletions(request: Request) -> AccountDeletions:
    value: AccountDeletions = request.app.state.account_deletions
    return value


def gateway_identity(identity: CurrentIdentity) -> Identity:
    """The reader as the gateway vouches for them: only the gateway takes a reader's request to delete their account."""
    if not identity.issued_by(GATEWAY):
        raise ApiError(403, "forbidden", "only the gateway may ask for an account's deletion")
    return identity


AccountDeletionsDep = Annotated[AccountDeletions, Depends(account_deletions)]
GatewayIdentity = Annotated[Identity, Depends(gateway_identity)]


@router.post(
    "/deletion",
    status_code=202,
    summary="Record the deletion of the token's user's account; it runs in the background until done (idempotent)",
    responses=error_responses(403),
)
async def request_deletion(identity: GatewayIdentity, deletions: AccountDeletionsDep) -> AccountDeletionStatus:
    await deletions.request(user_id=identity.user_id, request_id=identity.request_id)
    return AccountDeletionStatus(status="pending")


@router.get(
    "/deletion",
    summary="`pending` while the token's user's account deletion runs, `done` when it finished (or none was asked)",
    responses=error_responses(403),
)
async def deletion_status(identity: GatewayIdentity, deletions: AccountDeletionsDep) -> AccountDeletionStatus:
    return AccountDeletionStatus(status=await deletions.status(user_id=identity.user_id))
