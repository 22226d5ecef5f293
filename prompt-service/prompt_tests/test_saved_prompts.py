"""Saved prompts: one entry per text, newest first, paginated, at most 500, scoped to the reader."""

from __future__ import annotations

import pytest

from prompt_tests.utils.reader import Reader


async def test_saving_the_same_text_twice_keeps_one_entry_and_says_so(alice: Reader) -> None:
    first = await alice.save_prompt("एक बिल्ली जो उड़ना चाहती थी", "hi")
    assert first.status_code == 201 and first.json()["already_saved"] is False
    again = await alice.save_prompt("  एक बिल्ली जो उड़ना   चाहती थी ", "hi")
    assert again.status_code == 200 and again.json()["already_saved"] is True
    assert again.json()["id"] == first.json()["id"]
    page = (await alice.call("GET", "/v1/prompts/saved")).json()
    assert [p["text"] for p in page["prompts"]] == ["एक बिल्ली जो उड़ना चाहती थी"]
    assert page["prompts"][0]["language"] == "hi"


async def test_newest_first_with_a_cursor(alice: Reader) -> None:
    for n in range(5):
        await alice.save_prompt(f"prompt number {n}")
    first = (await alice.call("GET", "/v1/prompts/saved", params={"limit": 3})).json()
    rest = (await alice.call("GET", "/v1/prompts/saved", params={"limit": 3, "cursor": first["next_cursor"]})).json()
    texts = [p["text"] for p in first["prompts"] + rest["prompts"]]
    assert texts == [f"prompt number {n}" for n in (4, 3, 2, 1, 0)]
    assert rest["next_cursor"] is None


async def test_delete_one_and_clear(alice: Reader, bob: Reader) -> None:
    ids = [(await alice.save_prompt(f"idea {n}")).json()["id"] for n in range(3)]
    bobs = (await bob.save_prompt("bob's idea")).json()["id"]
    assert (await bob.call("DELETE", f"/v1/prompts/saved/{ids[0]}")).status_code == 404
    assert (await alice.call("DELETE", f"/v1/prompts/saved/{ids[0]}")).status_code == 204
    assert (await alice.call("DELETE", f"/v1/prompts/saved/{ids[0]}")).status_code == 404
    cleared = await alice.call("DELETE", "/v1/prompts/saved")
    assert cleared.json() == {"deleted": 2}
    assert (await alice.call("GET", "/v1/prompts/saved")).json()["prompts"] == []
    assert [p["id"] for p in (await bob.call("GET", "/v1/prompts/saved")).json()["prompts"]] == [bobs]


@pytest.mark.parametrize(("text", "language"), [("", "en"), ("   ", "en"), ("x" * 2001, "en"), ("fine", "fr")])
async def test_invalid_prompts_are_refused(alice: Reader, text: str, language: str) -> None:
    response = await alice.save_prompt(text, language)
    assert response.status_code == 422


async def test_at_most_five_hundred(alice: Reader) -> None:
    for n in range(500):
        assert (await alice.save_prompt(f"story idea {n}")).status_code == 201
    refused = await alice.save_prompt("one more")
    assert refused.status_code == 409 and "500" in refused.json()["error"]["message"]
    assert (await alice.save_prompt("story idea 7")).status_code == 200
