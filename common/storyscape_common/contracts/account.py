"""Account deletion: what `DELETE /v1/me` answers, and what its status URL says."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DeletionState = Literal["pending", "done"]


class AccountDeletionStatus(BaseModel):
    """`pending` until the reader's data is gone from every service and the Firebase user is deleted; then `done`."""

    status: DeletionState = Field(description="`pending` while the deletion runs; `done` once nothing of the reader is left")


class AccountDeletionAccepted(AccountDeletionStatus):
    """The deletion is recorded and will finish even if a service is down now; poll `status_url` (no token needed)."""

    status_url: str = Field(
        description="Path (under the API's base URL) that answers the deletion's status; readable without a token, "
        "since the account's tokens stop working at once"
    )
