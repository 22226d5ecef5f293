"""One reader's calls to prompt-service, as the gateway makes them."""

from __future__ import annotations

from typing import Any

import httpx
from storyscape_devtools.testing import TestKeys


class Reader:
    def __init__(self, client: httpx.AsyncClient, keys: TestKeys, user_id: str) -> None:
        self.client, self.keys, self.user_id = client, keys, user_id

    def headers(self) -> dict[str, str]:
        return self.keys.bearer(user_id=self.user_id, audience="prompt-service")

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.headers(), **kwargs)

    async def settings(self) -> dict[str, Any]:
        response = await self.call("GET", "/v1/me/settings")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def put_settings(self, **fields: Any) -> httpx.Response:
        return await self.call("PUT", "/v1/me/settings", json=fields)

    async def add_genre(self, name: str, label: str | None = None) -> httpx.Response:
        return await self.call("POST", "/v1/genres", json={"name": name} | ({"label": label} if label else {}))

    async def rename_genre(self, genre_id: str, **fields: Any) -> httpx.Response:
        return await self.call("PATCH", f"/v1/genres/{genre_id}", json=fields)

    async def custom_genres(self) -> list[dict[str, Any]]:
        response = await self.call("GET", "/v1/genres")
        assert response.status_code == 200, response.text
        custom: list[dict[str, Any]] = response.json()["custom"]
        return custom

    async def save_prompt(self, text: str, language: str = "en") -> httpx.Response:
        return await self.call("POST", "/v1/prompts/saved", json={"text": text, "language": language})
