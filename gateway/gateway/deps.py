"""Typed dependencies of the gateway's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gateway.firebase import FirebaseUser, FirebaseVerifier, bearer_token


async def firebase_user(request: Request) -> FirebaseUser:
    """The user whose Firebase ID token came in `Authorization: Bearer …`; 401 otherwise."""
    verifier: FirebaseVerifier = request.app.state.firebase
    return await verifier.verify(bearer_token(request.headers.get("authorization")))


CurrentUser = Annotated[FirebaseUser, Depends(firebase_user)]
