"""Calls to history-service the way the gateway (reader) and story-service (writer) make them."""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime
from typing import Any

import httpx
from storyscape_devtools.testing import TestKeys, free_port

from history_service.settings import Settings

AUDIENCE = "history-service"


def history_settings(keys: TestKeys, *, database_url: str, prompt_url: str | None = None, **overrides: Any) -> Settings:
    """Test settings; without a prompt-service (a closed port) readers fall back to the default time zone,
    and without a media-service (another closed port) stories have no pictures or audio."""
    return Settings(
        environment="test",
        internal_public_keys=keys.public_keys,
        internal_signing_key=keys.private_pem("history-service"),
        database_url=database_url,
        prompt_url=prompt_url or f"http://127.0.0.1:{free_port()}",
        **({"media_url": f"http://127.0.0.1:{free_port()}"} | overrides),
    )


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


def story_fields(**overrides: Any) -> dict[str, Any]:
    """A valid story as story-service would send it; override any field."""
    fields: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "title": "The Brave Little Kite",
        "text": "Once upon a time a little kite wanted to touch the clouds.",
        "language": "en",
        "age_group": "6-8",
        "genres": ["adventure", "friendship"],
        "mode": "prompt",
        "prompt": "a kite that wants to fly higher",
        "model": "gpt-4o",
    }
    fields.update(overrides)
    return fields


class HistoryCaller:
    """One user's calls: reads with a gateway-issued token, saves with a story-service-issued one."""

    def __init__(self, client: httpx.AsyncClient, keys: TestKeys, user_id: str | None = None) -> None:
        self.client = client
        self.keys = keys
        self.user_id = user_id or new_user()

    def headers(self, issuer: str = "gateway") -> dict[str, str]:
        token = self.keys.signer(issuer).sign(user_id=self.user_id, audience=AUDIENCE, request_id="test")
        return {"Authorization": f"Bearer {token}"}

    async def save(self, *, issuer: str = "story-service", **overrides: Any) -> httpx.Response:
        fields = story_fields(**overrides)
        if isinstance(fields.get("created_at"), datetime):
            fields["created_at"] = fields["created_at"].isoformat()
        return await self.client.post("/internal/stories", json=fields, headers=self.headers(issuer))

    async def saved(self, **overrides: Any) -> dict[str, Any]:
        response = await self.save(**overrides)
        assert response.status_code == 201, response.text
        story: dict[str, Any] = response.json()
        return story

    async def list(self, *, timezone: str | None = None, **params: Any) -> httpx.Response:
        headers = self.headers()
        if timezone is not None:
            headers["X-User-Timezone"] = timezone
        return await self.client.get("/v1/stories", params=params, headers=headers)

    async def get(self, story_id: str) -> httpx.Response:
        return await self.client.get(f"/v1/stories/{story_id}", headers=self.headers())

    async def delete(self, story_id: str) -> httpx.Response:
        return await self.client.delete(f"/v1/stories/{story_id}", headers=self.headers())

    async def search(self, q: str, **params: Any) -> httpx.Response:
        return await self.client.get("/v1/stories/search", params={"q": q, **params}, headers=self.headers())

    async def found_titles(self, q: str) -> builtins.list[str]:
        response = await self.search(q)
        assert response.status_code == 200, response.text
        return [story["title"] for story in response.json()["stories"]]

    async def favorite(self, story_id: str, *, on: bool = True) -> httpx.Response:
        method = "PUT" if on else "DELETE"
        return await self.client.request(method, f"/v1/stories/{story_id}/favorite", headers=self.headers())

    async def favorites(self, *, etag: str | None = None) -> httpx.Response:
        headers = self.headers() | ({"If-None-Match": etag} if etag else {})
        return await self.client.get("/v1/favorites", headers=headers)

    async def clear(self, **params: Any) -> httpx.Response:
        return await self.client.delete("/v1/stories", params=params, headers=self.headers())
