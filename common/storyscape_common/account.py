"""Account deletion inside one service: every row of the user, in every table of the service that has a `user_id`
column, and the `DELETE /internal/me` route that does it (idempotent: a second call finds nothing and answers 204).

Tables are found from the service's own metadata, so a table added later is covered without touching this code.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from sqlalchemy import MetaData, Table, delete
from sqlalchemy.ext.asyncio import AsyncSession

from storyscape_common.contracts.errors import error_responses
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import ApiError
from storyscape_common.registry import STORY_SERVICE

logger = logging.getLogger("storyscape.account")
USER_COLUMN = "user_id"
# The service that runs account-deletion jobs (story_service/account_deletion.py); only it may delete a whole account.
DELETION_JOB_SERVICE = STORY_SERVICE


def user_tables(metadata: MetaData, *, keep: frozenset[str] = frozenset()) -> list[Table]:
    """The tables that hold rows of a user, children before parents (foreign keys), less those in `keep`."""
    return [table for table in reversed(metadata.sorted_tables) if USER_COLUMN in table.columns and table.name not in keep]


async def delete_user_rows(
    session: AsyncSession, metadata: MetaData, *, user_id: str, keep: frozenset[str] = frozenset()
) -> dict[str, int]:
    """Delete the user's rows from each of the service's tables; rows deleted, by table (in the caller's transaction)."""
    deleted: dict[str, int] = {}
    for table in user_tables(metadata, keep=keep):
        result = await session.execute(delete(table).where(table.columns[USER_COLUMN] == user_id))
        deleted[table.name] = int(result.rowcount)  # type: ignore[attr-defined]
    return deleted


def account_deletion_router(metadata: MetaData) -> APIRouter:
    """`DELETE /internal/me`: the caller's user's rows in every table of `metadata`; only the deletion job may call it."""
    router = APIRouter(prefix="/internal", tags=["internal"])

    @router.delete(
        "/me",
        status_code=204,
        summary="Delete everything of the token's user in this service (account deletion; idempotent)",
        responses=error_responses(403),
    )
    async def delete_account_data(session: SessionDep, identity: CurrentIdentity) -> Response:
        if not identity.issued_by(DELETION_JOB_SERVICE):
            raise ApiError(403, "forbidden", f"only {DELETION_JOB_SERVICE} deletes accounts")
        deleted = await delete_user_rows(session, metadata, user_id=identity.user_id)
        logger.info("account data deleted", extra={"fields": {"rows": deleted}})
        return Response(status_code=204)

    return router
