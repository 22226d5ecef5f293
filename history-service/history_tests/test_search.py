"""Keyword search: whole words, Hindi and English, normalised the same way on both sides, scoped to the reader."""

from __future__ import annotations

import unicodedata

import pytest

from history_tests.utils.api import HistoryCaller

HINDI_TEXT = (
    "एक गाँव में मीरा नाम की लड़की रहती थी। उसकी बिल्ली का नाम चंदा था। हर रात दादी उसे "
    "एक राजकुमारी की कहानी सुनाती थीं, और चंदा भी कान लगाकर सुनती थी।"
)


@pytest.fixture
async def library(alice: HistoryCaller) -> HistoryCaller:
    await alice.saved(language="hi", title="मीरा और चंदा", text=HINDI_TEXT, prompt="बिल्ली और दादी")
    await alice.saved(title="The Kite Festival", text="Arjun's kite, a red one, danced above the Rooftops of Jaipur.")
    await alice.saved(title="Night Train", text="The train hummed through the night; nobody on board was asleep.")
    return alice


@pytest.mark.parametrize("word", ["कहानी", "बिल्ली", "राजकुमारी", "दादी", "गाँव"])
async def test_hindi_words_are_found_inside_longer_text(library: HistoryCaller, word: str) -> None:
    assert await library.found_titles(word) == ["मीरा और चंदा"]


async def test_the_same_word_in_another_unicode_form_matches(library: HistoryCaller) -> None:
    # ड़ typed as one code point (U+095C) or as ड + nukta: NFC makes them one form, on both sides.
    precomposed = "ल\u095cकी"
    assert precomposed != unicodedata.normalize("NFC", precomposed)
    assert await library.found_titles(precomposed) == ["मीरा और चंदा"]
    assert await library.found_titles(unicodedata.normalize("NFD", "लड़की")) == ["मीरा और चंदा"]


async def test_zero_width_joiners_and_punctuation_are_ignored(library: HistoryCaller) -> None:
    assert await library.found_titles("राज\u200dकुमारी") == ["मीरा और चंदा"]
    assert await library.found_titles("“कहानी”।") == ["मीरा और चंदा"]
    assert await library.found_titles("jaipur!") == ["The Kite Festival"]


async def test_a_shared_prefix_alone_is_not_a_match(library: HistoryCaller) -> None:
    assert await library.found_titles("बिल्") == []
    assert await library.found_titles("राज") == []
    assert await library.found_titles("jaip") == []


async def test_english_is_case_insensitive_and_every_word_must_match(library: HistoryCaller) -> None:
    assert await library.found_titles("ROOFTOPS") == ["The Kite Festival"]
    assert await library.found_titles("night train") == ["Night Train"]
    assert await library.found_titles("night jaipur") == []


async def test_title_and_prompt_are_searched_too(library: HistoryCaller) -> None:
    assert await library.found_titles("festival") == ["The Kite Festival"]
    assert await library.found_titles("बिल्ली दादी") == ["मीरा और चंदा"]


async def test_results_are_newest_first_and_paginated(alice: HistoryCaller) -> None:
    for n in range(5):
        await alice.saved(title=f"Lantern {n}", text=f"A paper lantern glowed, number {n}.")
    first = (await alice.search("lantern", limit=2)).json()
    assert [s["title"] for s in first["stories"]] == ["Lantern 4", "Lantern 3"]
    second = (await alice.search("lantern", limit=2, cursor=first["next_cursor"])).json()
    third = (await alice.search("lantern", limit=2, cursor=second["next_cursor"])).json()
    assert [s["title"] for s in second["stories"] + third["stories"]] == ["Lantern 2", "Lantern 1", "Lantern 0"]
    assert third["next_cursor"] is None


async def test_another_readers_stories_are_never_found(library: HistoryCaller, bob: HistoryCaller) -> None:
    assert await bob.found_titles("कहानी") == []
    assert await bob.found_titles("jaipur") == []


@pytest.mark.parametrize("q", ["", "   ", "…!!", "x" * 201])
async def test_empty_wordless_or_long_queries_are_refused(alice: HistoryCaller, q: str) -> None:
    response = await alice.search(q)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_deleted_stories_leave_the_index(library: HistoryCaller) -> None:
    found = (await library.search("राजकुमारी")).json()["stories"]
    assert (await library.delete(found[0]["id"])).status_code == 204
    assert await library.found_titles("राजकुमारी") == []
