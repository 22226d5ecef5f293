"""Firebase users, deleted with firebase-admin: the last trace of a deleted account outside our databases."""

from __future__ import annotations

import asyncio
import os
import uuid

import firebase_admin
import google.auth
from firebase_admin import auth
from google.auth.credentials import AnonymousCredentials, Credentials

from story_service.settings import EMULATOR_HOST_VARIABLE, Settings

# What deleting a user through Identity Toolkit needs.
ADMIN_SCOPES = ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/identitytoolkit"]


def admin_credentials(settings: Settings) -> Credentials:
    """The configured credentials JSON; anonymous where none is needed (the emulator accepts any caller)."""
    info = settings.firebase_credentials_info()
    if info is None:
        # Application Default Credentials would probe the metadata server and stall offline.
        return AnonymousCredentials()
    credentials: Credentials = google.auth.load_credentials_from_dict(info, scopes=ADMIN_SCOPES)[0]
    return credentials


class FirebaseAccounts:
    """Owns one firebase-admin app for deleting users."""

    def __init__(self, settings: Settings) -> None:
        if settings.firebase_auth_emulator_host:
            # The SDK reads only the process environment; Settings has already refused non-demo projects.
            os.environ.setdefault(EMULATOR_HOST_VARIABLE, settings.firebase_auth_emulator_host)
        self.app = firebase_admin.initialize_app(
            admin_credentials(settings),
            {"projectId": settings.firebase_project_id, "httpTimeout": settings.firebase_http_timeout_seconds},
            name=f"story-service-{uuid.uuid4().hex}",
        )

    async def delete_user(self, uid: str) -> bool:
        """Delete the user (in a thread: the SDK blocks); False when there was no such user, which is as good."""
        try:
            await asyncio.to_thread(auth.delete_user, uid, app=self.app)
        except auth.UserNotFoundError:
            return False
        return True

    def close(self) -> None:
        firebase_admin.delete_app(self.app)
