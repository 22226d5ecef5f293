"""GET /v1/catalog: the app's pickers, labelled in English and Hindi."""

from __future__ import annotations

import re

import httpx
from storyscape_devtools.testing import TestKeys

DEVANAGARI = re.compile(r"[\u0900-\u097F]")


async def test_catalog_lists_languages_age_groups_and_genres(client: httpx.AsyncClient, user_headers: dict[str, str]) -> None:
    response = await client.get("/v1/catalog", headers=user_headers)
    assert response.status_code == 200
    catalog = response.json()
    assert set(catalog) == {"languages", "age_groups", "genres"}
    assert catalog["languages"] == [
        {"id": "en", "labels": {"en": "English", "hi": "अंग्रेज़ी"}},
        {"id": "hi", "labels": {"en": "Hindi", "hi": "हिन्दी"}},
    ]
    assert [group["id"] for group in catalog["age_groups"]] == ["3-5", "6-8", "9-12", "13-17"]
    assert catalog["age_groups"][1]["labels"] == {"en": "6–8 years", "hi": "6–8 साल"}
    genre_ids = [genre["id"] for genre in catalog["genres"]]
    assert len(genre_ids) == len(set(genre_ids)) >= 10
    assert {"id": "adventure", "labels": {"en": "Adventure", "hi": "रोमांच"}} in catalog["genres"]


async def test_every_entry_has_an_english_and_a_hindi_label(client: httpx.AsyncClient, user_headers: dict[str, str]) -> None:
    catalog = (await client.get("/v1/catalog", headers=user_headers)).json()
    for section in ("languages", "age_groups", "genres"):
        for entry in catalog[section]:
            labels = entry["labels"]
            assert set(labels) == {"en", "hi"}, entry
            assert labels["en"].strip() and not DEVANAGARI.search(labels["en"]), entry
            assert DEVANAGARI.search(labels["hi"]), entry


async def test_catalog_needs_an_internal_token(client: httpx.AsyncClient, keys: TestKeys) -> None:
    missing = await client.get("/v1/catalog")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthenticated"
    assert missing.headers["www-authenticate"] == "Bearer"
    for_another_service = keys.bearer(user_id="user-catalog", audience="history-service")
    assert (await client.get("/v1/catalog", headers=for_another_service)).status_code == 401
    assert (await client.get("/v1/catalog", headers={"Authorization": "Bearer nonsense"})).status_code == 401


async def test_request_id_is_echoed_or_created(client: httpx.AsyncClient, user_headers: dict[str, str]) -> None:
    echoed = await client.get("/v1/catalog", headers={**user_headers, "X-Request-ID": "trace-catalog-1"})
    assert echoed.headers["x-request-id"] == "trace-catalog-1"
    created = await client.get("/v1/catalog", headers=user_headers)
    assert re.fullmatch(r"[0-9a-f]{32}", created.headers["x-request-id"])
    refused = await client.get("/v1/catalog", headers={"X-Request-ID": "trace-catalog-2"})
    assert refused.headers["x-request-id"] == "trace-catalog-2"
    assert refused.json()["error"]["request_id"] == "trace-catalog-2"


async def test_catalog_schema_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    response = spec["paths"]["/v1/catalog"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Catalog"}
    assert set(spec["components"]["schemas"]["Catalog"]["properties"]) == {"languages", "age_groups", "genres"}
    assert set(spec["components"]["schemas"]["Labels"]["required"]) == {"en", "hi"}


async def test_operations_endpoints_are_open(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready", "checks": {"database": "ok"}}
    assert "http_requests_total" in (await client.get("/metrics")).text
