"""A returning reader's library through the gateway: settings, genres, saved prompts, favorites, search, clear."""

from __future__ import annotations

import unicodedata

import httpx
from storyscape_devtools.devstack import StackConfig

from gateway_tests.e2e.client import bearer, completed_story, sign_up, stream_story


async def test_settings_and_a_custom_genre_shape_the_next_story(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=120) as client:
        assert (await client.get("/v1/me/settings", headers=bearer(alice))).json()["language"] == "en"
        refused = await client.put("/v1/me/settings", json={"age_group": "99"}, headers=bearer(alice))
        assert refused.status_code == 422 and "age_group" in refused.json()["error"]["message"]

        genre = await client.post("/v1/genres", json={"name": "पतंगबाज़ी", "label": "Kite flying"}, headers=bearer(alice))
        assert genre.status_code == 201
        genre_id = genre.json()["id"]
        saved = await client.put("/v1/me/settings", json={"age_group": "9-12", "genres": [genre_id]}, headers=bearer(alice))
        assert saved.status_code == 200 and saved.json()["genres"] == [genre_id]

        events = await stream_story(client, alice, {"prompt": "A windy afternoon on the roof"})
        story = completed_story(events)
        assert (story["age_group"], story["genres"]) == ("9-12", ["पतंगबाज़ी"])

        # Bob sees none of it and cannot change it.
        assert (await client.get("/v1/me/settings", headers=bearer(bob))).json()["genres"] == []
        assert (await client.get("/v1/genres", headers=bearer(bob))).json()["custom"] == []
        assert (await client.delete(f"/v1/genres/{genre_id}", headers=bearer(bob))).status_code == 404
        assert (await client.put("/v1/me/settings", json={"genres": [genre_id]}, headers=bearer(bob))).status_code == 422


async def test_saved_prompts_keep_one_copy_and_clear(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        first = await client.post("/v1/prompts/saved", json={"text": "एक उड़ने वाला हाथी", "language": "hi"}, headers=bearer(alice))
        again = await client.post("/v1/prompts/saved", json={"text": "एक उड़ने वाला हाथी ", "language": "hi"}, headers=bearer(alice))
        assert (first.status_code, again.status_code, again.json()["already_saved"]) == (201, 200, True)
        await client.post("/v1/prompts/saved", json={"text": "A shy dragon", "language": "en"}, headers=bearer(alice))
        listed = (await client.get("/v1/prompts/saved", headers=bearer(alice))).json()["prompts"]
        assert [p["text"] for p in listed] == ["A shy dragon", "एक उड़ने वाला हाथी"]
        assert (await client.get("/v1/prompts/saved", headers=bearer(bob))).json()["prompts"] == []
        assert (await client.delete(f"/v1/prompts/saved/{listed[0]['id']}", headers=bearer(bob))).status_code == 404
        assert (await client.delete(f"/v1/prompts/saved/{listed[0]['id']}", headers=bearer(alice))).status_code == 204
        assert (await client.delete("/v1/prompts/saved", headers=bearer(alice))).json() == {"deleted": 1}


async def test_favorites_search_and_clear(stack: StackConfig) -> None:
    alice, bob = sign_up(stack), sign_up(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=120) as client:
        hindi = await stream_story(client, alice, {"prompt": "एक राजकुमारी और उसकी बिल्ली की कहानी", "language": "hi"})
        english = await stream_story(client, alice, {"prompt": "A lighthouse keeper and a seagull", "language": "en"})
        hindi_story, english_story = completed_story(hindi), completed_story(english)

        async def found(q: str, token: str = alice) -> list[str]:
            response = await client.get("/v1/stories/search", params={"q": q}, headers=bearer(token))
            assert response.status_code == 200, response.text
            return [story["id"] for story in response.json()["stories"]]

        for word in ("राजकुमारी", "बिल्ली", "कहानी", unicodedata.normalize("NFD", "राजकुमारी")):
            assert await found(word) == [hindi_story["id"]]
        assert await found("राज") == []
        assert await found("LIGHTHOUSE") == [english_story["id"]]
        assert await found("seagull lighthouse") == [english_story["id"]]
        assert await found("राजकुमारी", bob) == []
        assert (await client.get("/v1/stories/search", params={"q": "  "}, headers=bearer(alice))).status_code == 422
        # The path is search, not a story id.
        assert (await client.get("/v1/stories/search", headers=bearer(alice))).status_code == 422

        marked = await client.put(f"/v1/stories/{hindi_story['id']}/favorite", headers=bearer(alice))
        assert marked.status_code == 200 and marked.json()["favorite"] is True
        assert (await client.put(f"/v1/stories/{hindi_story['id']}/favorite", headers=bearer(bob))).status_code == 404
        favorites = await client.get("/v1/favorites", headers=bearer(alice))
        assert [s["id"] for s in favorites.json()["stories"]] == [hindi_story["id"]]
        etag = favorites.headers["etag"]
        assert (await client.get("/v1/favorites", headers=bearer(alice) | {"If-None-Match": etag})).status_code == 304
        assert (await client.get("/v1/favorites", headers=bearer(bob))).json()["count"] == 0

        cleared = await client.delete("/v1/stories", headers=bearer(alice))
        assert cleared.json() == {"deleted": 1, "kept_favorites": True}
        assert (await client.get(f"/v1/stories/{english_story['id']}", headers=bearer(alice))).status_code == 404
        assert (await client.get(f"/v1/stories/{hindi_story['id']}", headers=bearer(alice))).status_code == 200
        assert (await client.get("/v1/favorites", headers=bearer(alice) | {"If-None-Match": etag})).status_code == 304
