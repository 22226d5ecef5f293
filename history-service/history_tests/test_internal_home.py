"""`/internal/home`: the home screen's part — the 5 newest stories without their text, and the favorites count."""

from __future__ import annotations

from history_tests.utils.api import HistoryCaller


async def test_the_five_newest_stories_without_text_and_the_favorites_count(alice: HistoryCaller, bob: HistoryCaller) -> None:
    stories = [await alice.saved(title=f"Story {n}") for n in range(7)]
    await alice.favorite(stories[0]["id"])
    await alice.favorite(stories[6]["id"])
    await bob.saved(title="Bob's own")

    response = await alice.client.get("/internal/home", headers=alice.headers())
    assert response.status_code == 200
    body = response.json()
    assert [s["title"] for s in body["recent_stories"]] == [f"Story {n}" for n in (6, 5, 4, 3, 2)]
    assert all("text" not in s for s in body["recent_stories"])
    assert body["recent_stories"][0]["favorite"] is True and body["favorites_count"] == 2


async def test_a_new_reader_has_an_empty_home(bob: HistoryCaller) -> None:
    body = (await bob.client.get("/internal/home", headers=bob.headers())).json()
    assert body == {"recent_stories": [], "favorites_count": 0}


async def test_without_a_token_there_is_no_home(alice: HistoryCaller) -> None:
    assert (await alice.client.get("/internal/home")).status_code == 401
