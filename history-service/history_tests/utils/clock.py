"""A clock the tests can pin, shared with the live server's thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


class AdjustableClock:
    """Real UTC time unless a test pins it."""

    def __init__(self) -> None:
        self.pinned: datetime | None = None

    def __call__(self) -> datetime:
        return self.pinned or datetime.now(UTC)

    @contextmanager
    def pinned_at(self, moment: datetime) -> Iterator[None]:
        self.pinned = moment
        try:
            yield
        finally:
            self.pinned = None
