"""Custom genres: any script, trimmed and NFC-normalised, unique per reader case-insensitively, at most 50, and fit
for children (their names go into story prompts); renamed under the same rules."""

from __future__ import annotations

import unicodedata

import pytest

from prompt_tests.utils.reader import Reader
from storyscape_safety import blocked_message


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


UNSAFE = [("en", "I will kill you"), ("hi", "मैं तुझे जान से मार डालूँगा")]


@pytest.mark.parametrize(("language", "unsafe"), UNSAFE)
async def test_an_unsafe_name_or_label_is_refused_and_nothing_is_stored(alice: Reader, language: str, unsafe: str) -> None:
    assert (await alice.put_settings(language=language)).status_code == 200
    for fields in ({"name": unsafe}, {"name": "Robots", "label": unsafe}):
        response = await alice.add_genre(**fields)
        assert response.status_code == 422
        assert response.json()["error"] == {
            "code": "content_blocked",
            "message": blocked_message(language),
            "request_id": response.headers["x-request-id"],
        }
    assert await alice.custom_genres() == []
    assert (await alice.add_genre("Robots")).status_code == 201  # the same reader may still add a safe one


async def test_a_genre_is_renamed_and_its_new_name_reaches_stories(alice: Reader) -> None:
    genre = (await alice.add_genre("Robots", label="रोबोट")).json()
    await alice.put_settings(genres=["animals", genre["id"]])
    renamed = await alice.rename_genre(genre["id"], name="  Friendly robots ")
    assert renamed.status_code == 200
    assert (renamed.json()["id"], renamed.json()["name"], renamed.json()["label"]) == (genre["id"], "Friendly robots", "रोबोट")
    assert [(g["name"], g["label"]) for g in await alice.custom_genres()] == [("Friendly robots", "रोबोट")]
    assert (await alice.rename_genre(genre["id"], label=None)).json()["label"] is None
    internal = (await alice.call("GET", "/internal/settings")).json()
    assert internal["genre_names"] == ["animals", "Friendly robots"]


@pytest.mark.parametrize(("language", "unsafe"), UNSAFE)
async def test_an_unsafe_rename_is_refused_and_the_old_name_kept(alice: Reader, language: str, unsafe: str) -> None:
    await alice.put_settings(language=language)
    genre = (await alice.add_genre("Robots", label="रोबोट")).json()
    for fields in ({"name": unsafe}, {"label": unsafe}):
        response = await alice.rename_genre(genre["id"], **fields)
        assert response.status_code == 422
        assert (response.json()["error"]["code"], response.json()["error"]["message"]) == ("content_blocked", blocked_message(language))
    assert [(g["name"], g["label"]) for g in await alice.custom_genres()] == [("Robots", "रोबोट")]


async def test_a_rename_follows_the_naming_rules(alice: Reader, bob: Reader) -> None:
    robots = (await alice.add_genre("Robots")).json()
    await alice.add_genre("Pirates")
    assert (await alice.rename_genre(robots["id"], name="pirates")).status_code == 409
    assert (await alice.rename_genre(robots["id"], name="Animals")).status_code == 409
    assert (await alice.rename_genre(robots["id"], name="ROBOTS")).status_code == 200  # its own name, recased
    assert (await alice.rename_genre(robots["id"], name="x" * 41)).status_code == 422
    assert (await alice.rename_genre(robots["id"])).status_code == 422  # nothing to change
    assert (await bob.rename_genre(robots["id"], name="Mine now")).status_code == 404
    assert sorted(g["name"] for g in await alice.custom_genres()) == ["Pirates", "ROBOTS"]


async def test_other_services_read_only_the_callers_own_custom_genres(alice: Reader, bob: Reader) -> None:
    robots = (await alice.add_genre("Robots")).json()
    await bob.add_genre("Pirates")
    assert (await alice.call("GET", "/internal/genres")).json() == {"names": {robots["id"]: "Robots"}}
