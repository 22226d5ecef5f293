"""Firebase Auth's user deletion on loopback, as the Auth emulator serves it (`FIREBASE_AUTH_EMULATOR_HOST`), so
firebase-admin's real `delete_user` path runs against it: the users it knows, and who was deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse


@dataclass
class Accounts:
    users: set[str] = field(default_factory=set)
    deleted: list[str] = field(default_factory=list)


def accounts_app(accounts: Accounts) -> FastAPI:
    app = FastAPI()

    @app.post("/identitytoolkit.googleapis.com/v1/projects/{project}/accounts:delete")
    async def delete_account(project: str, body: dict[str, Any]) -> JSONResponse:
        uid = str(body.get("localId", ""))
        if uid not in accounts.users:
            return JSONResponse({"error": {"code": 400, "message": "USER_NOT_FOUND"}}, status_code=400)
        accounts.users.discard(uid)
        accounts.deleted.append(uid)
        return JSONResponse({"kind": "identitytoolkit#DeleteAccountResponse"})

    return app
