"""Settings: defaults for a new reader, validated together, saved together, scoped to the reader."""

from __future__ import annotations

from typing import Any

import pytest

from prompt_tests.utils.reader import Reader

DEFAULTS = {
    "language": "en",
    "age_group": "6-8",
    "genres": [],
    "ai_images": True,
    "recommendations_enabled": True,
    "timezone": "Asia/Kolkata",
}


async def test_a_new_reader_gets_the_defaults(alice: Reader) -> None:
    assert await alice.settings() == DEFAULTS


async def test_settings_round_trip_and_untouched_fields_keep_their_value(alice: Reader) -> None:
    response = await alice.put_settings(language="hi", age_group="9-12", genres=["animals", "mystery"], timezone="Europe/London")
    assert response.status_code == 200
    expected = DEFAULTS | {"language": "hi", "age_group": "9-12", "genres": ["animals", "mystery"], "timezone": "Europe/London"}
    assert response.json() == expected
    assert (await alice.put_settings(ai_images=False)).json() == expected | {"ai_images": False}
    assert await alice.settings() == expected | {"ai_images": False}


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"language": "fr"}, "language"),
        ({"age_group": "18-99"}, "age_group"),
        ({"genres": ["not-a-genre"]}, "genres"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"ai_images": "yes"}, "ai_images"),
        ({"recommendations_enabled": 1}, "recommendations_enabled"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_invalid_settings_are_refused_naming_the_field_and_nothing_is_saved(
    alice: Reader, fields: dict[str, Any], names: str
) -> None:
    response = await alice.put_settings(**({"age_group": "9-12"} | fields))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and names in error["message"]
    assert await alice.settings() == DEFAULTS


async def test_a_custom_genre_can_be_chosen_and_leaves_settings_when_deleted(alice: Reader, bob: Reader) -> None:
    genre = (await alice.add_genre("अंतरिक्ष यात्रा", label="Space travel")).json()
    assert (await alice.put_settings(genres=["animals", genre["id"]])).status_code == 200
    resolved = (await alice.call("GET", "/internal/settings")).json()
    assert resolved["genre_names"] == ["animals", "अंतरिक्ष यात्रा"]
    # Another reader cannot use it.
    assert (await bob.put_settings(genres=[genre["id"]])).status_code == 422
    assert (await alice.call("DELETE", f"/v1/genres/{genre['id']}")).status_code == 204
    assert (await alice.settings())["genres"] == ["animals"]


async def test_readers_never_see_each_others_settings(alice: Reader, bob: Reader) -> None:
    await alice.put_settings(language="hi", genres=["funny"])
    assert await bob.settings() == DEFAULTS
