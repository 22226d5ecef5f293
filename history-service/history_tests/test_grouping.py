"""Grouping, cursors and time zones as pure functions, with fixed clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from history_service.grouping import group_in_order, group_key, group_label
from history_service.service import resolve_timezone
from storyscape_common.cursor import Cursor, decode_cursor, encode_cursor
from storyscape_common.errors import ApiError

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# 2026-03-15 17:30 in Kolkata.
NOW = utc(2026, 3, 15, 12, 0)


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        (NOW, "today"),
        (NOW + timedelta(minutes=2), "today"),  # writer's clock a little ahead
        (utc(2026, 3, 14, 18, 30), "today"),  # 00:00 on the 15th in Kolkata
        (utc(2026, 3, 14, 18, 29, 59), "yesterday"),  # 23:59:59 on the 14th in Kolkata
        (utc(2026, 3, 13, 18, 30), "yesterday"),
        (utc(2026, 3, 13, 18, 29), "last_7_days"),
        (utc(2026, 3, 8, 18, 30), "last_7_days"),  # the 9th: 6 days ago
        (utc(2026, 3, 8, 18, 29), "last_30_days"),  # the 8th: 7 days ago
        (utc(2026, 2, 13, 18, 30), "last_30_days"),  # Feb 14th: 29 days ago
        (utc(2026, 2, 13, 18, 29), "2026-02"),  # Feb 13th: 30 days ago
        (utc(2026, 1, 1, 0, 0), "2026-01"),
        (utc(2025, 12, 31, 18, 30), "2026-01"),  # already Jan 1st in Kolkata
        (utc(2025, 12, 31, 18, 29), "2025"),  # still Dec 31st in Kolkata
        (utc(2019, 7, 4, 12, 0), "2019"),
    ],
)
def test_group_key_counts_calendar_days_in_kolkata(created_at: datetime, expected: str) -> None:
    assert group_key(created_at, now=NOW, tz=KOLKATA) == expected


def test_the_same_moment_falls_on_different_days_in_different_zones() -> None:
    now = utc(2026, 3, 15, 20, 0)  # 01:30 on the 16th in Kolkata, 16:00 on the 15th in New York
    story = utc(2026, 3, 15, 17, 0)  # 22:30 on the 15th in Kolkata, 13:00 on the 15th in New York
    assert group_key(story, now=now, tz=KOLKATA) == "yesterday"
    assert group_key(story, now=now, tz=NEW_YORK) == "today"
    assert group_key(story, now=now, tz=ZoneInfo("UTC")) == "today"


def test_new_year_in_kolkata_moves_december_into_the_archive() -> None:
    now = utc(2026, 1, 31, 19, 0)  # Feb 1st, 00:30 in Kolkata
    assert group_key(utc(2025, 12, 31, 12, 0), now=now, tz=KOLKATA) == "2025"  # 32 days ago
    assert group_key(utc(2026, 1, 3, 12, 0), now=now, tz=KOLKATA) == "last_30_days"  # 29 days ago
    assert group_key(utc(2026, 1, 2, 12, 0), now=now, tz=KOLKATA) == "2026-01"  # 30 days ago
    assert group_key(utc(2025, 12, 31, 18, 30), now=now, tz=KOLKATA) == "2026-01"  # Jan 1st, 00:00 in Kolkata


def test_just_after_midnight_on_january_first() -> None:
    now = utc(2025, 12, 31, 18, 45)  # 00:15 on Jan 1st 2026 in Kolkata
    assert group_key(utc(2025, 12, 31, 18, 31), now=now, tz=KOLKATA) == "today"
    assert group_key(utc(2025, 12, 31, 18, 0), now=now, tz=KOLKATA) == "yesterday"  # Dec 31st, 23:30
    assert group_key(utc(2025, 11, 1, 12, 0), now=now, tz=KOLKATA) == "2025"  # last year: by year, not month
    assert group_key(utc(2025, 12, 31, 18, 0), now=now, tz=ZoneInfo("UTC")) == "today"  # still Dec 31st in UTC


def test_labels_read_naturally() -> None:
    assert [group_label(k) for k in ("today", "yesterday", "last_7_days", "last_30_days")] == [
        "Today",
        "Yesterday",
        "Previous 7 days",
        "Previous 30 days",
    ]
    assert group_label("2026-03") == "March 2026"
    assert group_label("2026-12") == "December 2026"
    assert group_label("2024") == "2024"


def test_group_in_order_keeps_runs_in_order() -> None:
    items = ["today:a", "today:b", "yesterday:c", "2024:d", "2024:e"]
    assert group_in_order(items, key_of=lambda s: s.split(":")[0]) == [
        ("today", ["today:a", "today:b"]),
        ("yesterday", ["yesterday:c"]),
        ("2024", ["2024:d", "2024:e"]),
    ]
    assert group_in_order([], key_of=str) == []


def test_cursor_round_trips_and_refuses_garbage() -> None:
    cursor = Cursor(created_at=utc(2026, 3, 15, 12, 0, 0).replace(microsecond=123456), id="0b7e5a1c-3f56-4c57-9d25-1c1f6f1f0a11")
    assert decode_cursor(encode_cursor(cursor)) == cursor
    for garbage in ("", "!!!", "bm90IGpzb24", encode_cursor(cursor)[:-3], "eyJ0IjoiMjAyNi0wMy0xNSIsImlkIjoieCJ9"):
        with pytest.raises(ApiError) as raised:
            decode_cursor(garbage)
        assert (raised.value.status, raised.value.code) == (400, "invalid_request")


@pytest.mark.parametrize("name", ["", "  "])
def test_missing_timezone_means_the_default(name: str) -> None:
    assert resolve_timezone(name, default="Asia/Kolkata") == KOLKATA
    assert resolve_timezone(None, default="Asia/Kolkata") == KOLKATA


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "/etc/localtime", "Asia/Kolkata\x00", "x" * 80])
def test_unknown_timezones_are_refused(name: str) -> None:
    with pytest.raises(ApiError) as raised:
        resolve_timezone(name, default="Asia/Kolkata")
    assert raised.value.status == 400
