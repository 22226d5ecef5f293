"""`DELETE /internal/me`: account deletion takes every row of the reader from every table, and only theirs."""

from __future__ import annotations

from storyscape_devtools.testing import TestKeys, rows_holding

from prompt_tests.utils.reader import Reader


async def reader_with_everything(reader: Reader) -> None:
    genre = await reader.add_genre("पतंगबाज़ी", label="Kite flying")
    assert genre.status_code == 201, genre.text
    assert (await reader.put_settings(age_group="9-12", genres=[genre.json()["id"]])).status_code == 200
    assert (await reader.save_prompt("A shy dragon")).status_code == 201
    assert (await reader.call("GET", "/v1/prompts/suggestions")).status_code == 200


def deleting(reader: Reader, keys: TestKeys, issuer: str = "story-service") -> dict[str, str]:
    return keys.bearer(user_id=reader.user_id, audience="prompt-service", issuer=issuer)


async def test_deleting_an_account_leaves_no_row_of_the_reader_and_every_row_of_others(
    alice: Reader, bob: Reader, keys: TestKeys, database_url: str
) -> None:
    await reader_with_everything(alice)
    await reader_with_everything(bob)
    held = await rows_holding(database_url, [alice.user_id])
    assert {"user_settings", "custom_genres", "saved_prompts", "suggestion_sets"} <= set(held)
    bob_before = await rows_holding(database_url, [bob.user_id])

    response = await alice.client.delete("/internal/me", headers=deleting(alice, keys))
    assert (response.status_code, response.content) == (204, b"")

    assert await rows_holding(database_url, [alice.user_id]) == {}
    assert await rows_holding(database_url, [bob.user_id]) == bob_before
    assert (await alice.settings())["genres"] == [] and await alice.custom_genres() == []
    # Idempotent: the job may send it again after a crash.
    assert (await alice.client.delete("/internal/me", headers=deleting(alice, keys))).status_code == 204


async def test_only_the_deletion_job_may_delete_an_account(alice: Reader, keys: TestKeys, database_url: str) -> None:
    await reader_with_everything(alice)
    refused = await alice.client.delete("/internal/me", headers=deleting(alice, keys, issuer="gateway"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "saved_prompts" in await rows_holding(database_url, [alice.user_id])
