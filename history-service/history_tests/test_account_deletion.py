"""`DELETE /internal/me`: account deletion takes the reader's stories, search terms, favorites and queued media
deletions, and nothing of anyone else."""

from __future__ import annotations

from storyscape_devtools.testing import TestKeys, rows_holding

from history_tests.utils.api import HistoryCaller


async def reader_with_everything(reader: HistoryCaller) -> list[str]:
    kept = await reader.saved(title="The Lighthouse Keeper", text="A seagull visits the lighthouse every morning.")
    gone = await reader.saved(title="Paper Boats", text="Two paper boats race down the monsoon gutter.")
    assert (await reader.favorite(kept["id"])).status_code == 200
    assert (await reader.delete(gone["id"])).status_code == 204  # queues a media deletion for media-service
    assert [story["id"] for story in (await reader.search("seagull")).json()["stories"]] == [kept["id"]]
    return [kept["id"], gone["id"]]


async def test_deleting_an_account_leaves_no_row_of_the_reader_and_every_row_of_others(
    alice: HistoryCaller, bob: HistoryCaller, keys: TestKeys, database_url: str
) -> None:
    alice_stories = await reader_with_everything(alice)
    await reader_with_everything(bob)
    held = await rows_holding(database_url, [alice.user_id])
    assert {"stories", "story_terms", "libraries", "media_deletions"} <= set(held)
    bob_before = await rows_holding(database_url, [bob.user_id])

    response = await alice.client.delete("/internal/me", headers=alice.headers("story-service"))
    assert (response.status_code, response.content) == (204, b"")

    assert await rows_holding(database_url, [alice.user_id, *alice_stories]) == {}
    assert await rows_holding(database_url, [bob.user_id]) == bob_before
    assert (await alice.list()).json()["groups"] == []
    assert (await alice.client.delete("/internal/me", headers=alice.headers("story-service"))).status_code == 204


async def test_only_the_deletion_job_may_delete_an_account(alice: HistoryCaller, database_url: str) -> None:
    await alice.saved()
    refused = await alice.client.delete("/internal/me", headers=alice.headers("gateway"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "stories" in await rows_holding(database_url, [alice.user_id])
