"""GET/DELETE /v1/stories: the caller's own stories, newest first, grouped (run on PostgreSQL and SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from history_tests.utils.api import HistoryCaller
from history_tests.utils.clock import AdjustableClock

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)  # 17:30 in Kolkata


def ids_in(page: dict[str, Any]) -> list[str]:
    return [story["id"] for group in page["groups"] for story in group["stories"]]


async def test_reading_and_deleting_a_story(alice: HistoryCaller) -> None:
    story = await alice.saved()
    assert (await alice.get(story["id"])).json() == story
    deleted = await alice.delete(story["id"])
    assert deleted.status_code == 204 and deleted.content == b""
    gone = await alice.get(story["id"])
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert (await alice.delete(story["id"])).status_code == 404
    assert (await alice.list()).json() == {"groups": [], "next_cursor": None}


async def test_another_user_can_neither_see_nor_delete_a_story(alice: HistoryCaller, bob: HistoryCaller) -> None:
    story = await alice.saved()
    assert (await bob.get(story["id"])).status_code == 404
    assert (await bob.delete(story["id"])).status_code == 404
    assert (await bob.list()).json() == {"groups": [], "next_cursor": None}
    assert (await alice.get(story["id"])).status_code == 200
    assert ids_in((await alice.list()).json()) == [story["id"]]


async def test_unknown_and_malformed_ids_are_not_found(alice: HistoryCaller) -> None:
    for story_id in ("6d3c9f1e-0000-4000-8000-000000000000", "not-an-id"):
        response = await alice.get(story_id)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


async def test_stories_are_grouped_by_day_in_kolkata(alice: HistoryCaller, clock: AdjustableClock) -> None:
    moments = {
        "today": NOW - timedelta(hours=1),
        "early_today": datetime(2026, 3, 14, 18, 45, tzinfo=UTC),  # 00:15 on the 15th in Kolkata
        "yesterday": datetime(2026, 3, 14, 18, 15, tzinfo=UTC),  # 23:45 on the 14th in Kolkata
        "week": NOW - timedelta(days=4),
        "month": NOW - timedelta(days=20),
        "february": datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
        "january": datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
        "new_year_eve": datetime(2025, 12, 31, 18, 0, tzinfo=UTC),  # 23:30 on Dec 31st in Kolkata
        "archive": datetime(2023, 6, 1, 9, 0, tzinfo=UTC),
    }
    with clock.pinned_at(NOW):
        saved = {name: (await alice.saved(created_at=moment))["id"] for name, moment in moments.items()}
        page = (await alice.list()).json()
    assert [(g["key"], g["label"], [s["id"] for s in g["stories"]]) for g in page["groups"]] == [
        ("today", "Today", [saved["today"], saved["early_today"]]),
        ("yesterday", "Yesterday", [saved["yesterday"]]),
        ("last_7_days", "Previous 7 days", [saved["week"]]),
        ("last_30_days", "Previous 30 days", [saved["month"]]),
        ("2026-02", "February 2026", [saved["february"]]),
        ("2026-01", "January 2026", [saved["january"]]),
        ("2025", "2025", [saved["new_year_eve"]]),
        ("2023", "2023", [saved["archive"]]),
    ]
    assert page["next_cursor"] is None


async def test_the_reader_time_zone_header_moves_the_day_boundary(alice: HistoryCaller, clock: AdjustableClock) -> None:
    late_evening_utc = datetime(2026, 3, 14, 19, 0, tzinfo=UTC)  # 00:30 on the 15th in Kolkata
    with clock.pinned_at(NOW):
        await alice.saved(created_at=late_evening_utc)
        in_kolkata = (await alice.list()).json()
        in_utc = (await alice.list(timezone="UTC")).json()
        in_los_angeles = (await alice.list(timezone="America/Los_Angeles")).json()
    assert [g["key"] for g in in_kolkata["groups"]] == ["today"]
    assert [g["key"] for g in in_utc["groups"]] == ["yesterday"]
    assert [g["key"] for g in in_los_angeles["groups"]] == ["yesterday"]  # 12:00 on the 14th there


async def test_an_unknown_time_zone_is_refused(alice: HistoryCaller) -> None:
    response = await alice.list(timezone="Mars/Olympus_Mons")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "X-User-Timezone" in response.json()["error"]["message"]


async def test_walking_every_page_sees_each_story_once_newest_first(alice: HistoryCaller) -> None:
    base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    # Three stories share each timestamp so the id tie-break is exercised across page boundaries.
    created = [
        (base - timedelta(minutes=i // 3), (await alice.saved(created_at=base - timedelta(minutes=i // 3)))["id"]) for i in range(23)
    ]
    expected = [story_id for _, story_id in sorted(created, key=lambda c: (-c[0].timestamp(), c[1]))]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        response = await alice.list(**params)
        assert response.status_code == 200
        page = response.json()
        pages += 1
        seen.extend(ids_in(page))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert seen == expected


async def test_a_page_of_exactly_the_remaining_stories_has_no_next_cursor(alice: HistoryCaller) -> None:
    for _ in range(4):
        await alice.saved()
    first = (await alice.list(limit=2)).json()
    second = (await alice.list(limit=2, cursor=first["next_cursor"])).json()
    assert len(ids_in(first)) == len(ids_in(second)) == 2
    assert second["next_cursor"] is None
    assert len((await alice.list()).json()["groups"][0]["stories"]) == 4  # default limit 20


async def test_a_cursor_cannot_reveal_another_users_stories(alice: HistoryCaller, bob: HistoryCaller) -> None:
    for _ in range(3):
        await alice.saved()
    cursor = (await alice.list(limit=1)).json()["next_cursor"]
    assert (await bob.list(cursor=cursor)).json() == {"groups": [], "next_cursor": None}


async def test_bad_paging_parameters_are_refused(alice: HistoryCaller) -> None:
    for cursor in ("garbage", "eyJ0IjoieCJ9", "%%%"):
        response = await alice.list(cursor=cursor)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_request"
    for limit in (0, 101, "ten"):
        response = await alice.list(limit=limit)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"
    assert (await alice.list(limit=100)).status_code == 200


async def test_reading_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/v1/stories"),
        await client.get("/v1/stories/x"),
        await client.delete("/v1/stories/x"),
        await client.get("/v1/stories", headers={"Authorization": "Bearer not-a-token"}),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


async def test_request_ids_are_echoed(alice: HistoryCaller) -> None:
    response = await alice.client.get("/v1/stories", headers={**alice.headers(), "X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
