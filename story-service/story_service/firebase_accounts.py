"""Firebase users, deleted with firebase-admin: the last trace of a deleted account outside our databases."""

from __future__ import annotations

import asyncio

import firebase_admin
from firebase_admin import auth

from story_service.settings import Settings
from storyscape_common.firebase_project import firebase_app


class FirebaseAccounts:
    """Owns one firebase-admin app for deleting users."""

    def __init__(self, settings: Settings) -> None:
        self.app = firebase_app(settings, name="story-service")

    async def delete_user(self, uid: str) -> bool:
        """Delete the user (in a thread: the SDK blocks); False when there was no such user, which is as good."""
        try:
            await asyncio.to_thread(auth.delete_user, uid, app=self.app)
        except auth.UserNotFoundError:
            return False
        return True

    def close(self) -> None:
        firebase_admin.delete_app(self.app)
