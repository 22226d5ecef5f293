"""Custom genres: any script, trimmed and NFC-normalised, unique per reader case-insensitively, at most 50."""

from __future__ import annotations

import unicodedata

import pytest

from prompt_tests.utils.reader import Reader


async def test_a_genre_in_any_script_is_created_and_listed(alice: Reader) -> None:
    created = await alice.add_genre("  Dinosaurs  ", label="डायनासोर")
    assert created.status_code == 201
    genre = created.json()
    assert (genre["name"], genre["label"]) == ("Dinosaurs", "डायनासोर")
    listing = (await alice.call("GET", "/v1/genres")).json()
    assert [g["name"] for g in listing["custom"]] == ["Dinosaurs"]
    assert len(listing["built_in"]) == 10


@pytest.mark.parametrize("again", ["dinosaurs", "DINOSAURS", " Dinosaurs "])
async def test_the_same_name_again_is_a_conflict(alice: Reader, again: str) -> None:
    await alice.add_genre("Dinosaurs")
    response = await alice.add_genre(again)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


async def test_hindi_names_compare_in_nfc(alice: Reader) -> None:
    assert (await alice.add_genre("क़िले")).status_code == 201
    assert (await alice.add_genre(unicodedata.normalize("NFD", "क़िले"))).status_code == 409


async def test_a_built_in_genre_cannot_be_added_again(alice: Reader) -> None:
    for name in ("Animals", "जानवर", "animals"):
        assert (await alice.add_genre(name)).status_code == 409


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
async def test_names_must_be_1_to_40_characters(alice: Reader, name: str) -> None:
    response = await alice.add_genre(name)
    assert response.status_code == 422 and "name" in response.json()["error"]["message"]


async def test_at_most_fifty_per_reader(alice: Reader, bob: Reader) -> None:
    for n in range(50):
        assert (await alice.add_genre(f"genre {n}")).status_code == 201
    refused = await alice.add_genre("one too many")
    assert refused.status_code == 409 and "50" in refused.json()["error"]["message"]
    assert (await bob.add_genre("one too many")).status_code == 201


async def test_another_readers_genre_cannot_be_deleted(alice: Reader, bob: Reader) -> None:
    genre = (await alice.add_genre("Robots")).json()
    assert (await bob.call("DELETE", f"/v1/genres/{genre['id']}")).status_code == 404
    assert [g["name"] for g in (await alice.call("GET", "/v1/genres")).json()["custom"]] == ["Robots"]
