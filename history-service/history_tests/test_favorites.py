"""Favorites: idempotent marks, the whole set for offline reading, and an ETag that changes with it."""

from __future__ import annotations

from history_tests.utils.api import HistoryCaller


async def test_marking_is_idempotent_and_shows_on_the_story(alice: HistoryCaller) -> None:
    story = await alice.saved()
    for _ in range(2):
        response = await alice.favorite(story["id"])
        assert response.status_code == 200 and response.json()["favorite"] is True
    assert (await alice.get(story["id"])).json()["favorite"] is True
    for _ in range(2):
        assert (await alice.favorite(story["id"], on=False)).json()["favorite"] is False
    assert (await alice.favorites()).json() == {"stories": [], "count": 0}


async def test_favorites_are_the_whole_stories(alice: HistoryCaller) -> None:
    kept = await alice.saved(title="Keep me", text="A long story worth reading offline.")
    await alice.saved(title="Not this one")
    await alice.favorite(kept["id"])
    body = (await alice.favorites()).json()
    assert body["count"] == 1
    assert body["stories"][0] | {"favorite": True} == kept | {"favorite": True}


async def test_etag_answers_304_until_the_set_or_a_favorite_changes(alice: HistoryCaller) -> None:
    first, second = await alice.saved(), await alice.saved()
    await alice.favorite(first["id"])
    response = await alice.favorites()
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    unchanged = await alice.favorites(etag=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""

    await alice.favorite(first["id"])  # already a favorite: nothing changes
    assert (await alice.favorites(etag=etag)).status_code == 304

    await alice.favorite(second["id"])
    changed = await alice.favorites(etag=etag)
    assert changed.status_code == 200 and changed.json()["count"] == 2
    etag = changed.headers["etag"]

    assert (await alice.delete(first["id"])).status_code == 204
    after_delete = await alice.favorites(etag=etag)
    assert after_delete.status_code == 200 and [s["id"] for s in after_delete.json()["stories"]] == [second["id"]]


async def test_another_readers_story_cannot_be_marked(alice: HistoryCaller, bob: HistoryCaller) -> None:
    story = await alice.saved()
    for on in (True, False):
        response = await bob.favorite(story["id"], on=on)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert (await alice.get(story["id"])).json()["favorite"] is False
    assert (await bob.favorites()).json()["count"] == 0


async def test_clear_keeps_favorites_unless_asked(alice: HistoryCaller, bob: HistoryCaller) -> None:
    kept = await alice.saved(title="Favorite")
    for _ in range(3):
        await alice.saved()
    bobs = await bob.saved()
    await alice.favorite(kept["id"])

    cleared = await alice.clear()
    assert cleared.status_code == 200 and cleared.json() == {"deleted": 3, "kept_favorites": True}
    remaining = [s["id"] for g in (await alice.list()).json()["groups"] for s in g["stories"]]
    assert remaining == [kept["id"]]

    etag = (await alice.favorites()).headers["etag"]
    everything = await alice.clear(include_favorites="true")
    assert everything.json() == {"deleted": 1, "kept_favorites": False}
    assert (await alice.list()).json()["groups"] == []
    assert (await alice.favorites(etag=etag)).status_code == 200
    assert (await bob.get(bobs["id"])).status_code == 200
