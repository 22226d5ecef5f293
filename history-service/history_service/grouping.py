"""Pure rules for grouping stories by how long ago they were written, in the reader's time zone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
FIXED_LABELS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last_7_days": "Previous 7 days",
    "last_30_days": "Previous 30 days",
}


def group_key(created_at: datetime, *, now: datetime, tz: ZoneInfo) -> str:
    """The group a story belongs to, comparing calendar days in `tz` (not 24-hour spans).

    Today, yesterday, then up to 6 days ago ("last_7_days" — a week counting today), up to 29 days ago
    ("last_30_days"); older stories go by month ("YYYY-MM") this year and by year ("YYYY") before it.
    """
    day = created_at.astimezone(tz).date()
    today = now.astimezone(tz).date()
    days_ago = (today - day).days
    if days_ago <= 0:  # a writer's clock slightly ahead still counts as today
        return "today"
    if days_ago == 1:
        return "yesterday"
    if days_ago < 7:
        return "last_7_days"
    if days_ago < 30:
        return "last_30_days"
    if day.year == today.year:
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


def group_label(key: str) -> str:
    """English label for a key: "Today", "March 2026", "2024"."""
    if key in FIXED_LABELS:
        return FIXED_LABELS[key]
    if len(key) == 7:
        month = date.fromisoformat(f"{key}-01")
        return f"{MONTH_NAMES[month.month - 1]} {month.year}"
    return key


def group_in_order(items: Iterable[T], *, key_of: Callable[[T], str]) -> list[tuple[str, list[T]]]:
    """Consecutive runs of items that share a key, in the items' order (already newest first)."""
    groups: list[tuple[str, list[T]]] = []
    for item in items:
        key = key_of(item)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(item)
        else:
            groups.append((key, [item]))
    return groups
