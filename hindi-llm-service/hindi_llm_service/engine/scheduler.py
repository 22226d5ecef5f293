"""Waiting requests, served round-robin by user: one user's burst waits behind its own requests, not others'."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Generic, Protocol, TypeVar


class Owned(Protocol):
    @property
    def user(self) -> str: ...


T = TypeVar("T", bound=Owned)


class FairQueue(Generic[T]):
    """A thread-safe queue with one line per user; `pop` takes from each user in turn.

    A user who starts waiting joins the end of the rotation, so their first request waits for at most one
    admission per user already waiting, however many requests those users have queued.
    """

    def __init__(self) -> None:
        self._lines: OrderedDict[str, deque[T]] = OrderedDict()
        self._ready = threading.Condition()
        self._woken = False

    def put(self, item: T) -> None:
        with self._ready:
            self._lines.setdefault(item.user, deque()).append(item)
            self._ready.notify()

    def wake(self) -> None:
        """Make a blocked `pop` return None (the worker is stopping)."""
        with self._ready:
            self._woken = True
            self._ready.notify_all()

    def pop(self, timeout: float | None = None) -> T | None:
        """The next user's oldest request; waits up to `timeout` seconds (0: not at all) when nothing waits."""
        with self._ready:
            if not self._lines and timeout != 0 and not self._woken:
                self._ready.wait(timeout)
            self._woken = False
            if not self._lines:
                return None
            user, line = next(iter(self._lines.items()))
            item = line.popleft()
            del self._lines[user]
            if line:
                self._lines[user] = line  # back of the rotation
            return item

    def drain(self) -> list[T]:
        with self._ready:
            items = [item for line in self._lines.values() for item in line]
            self._lines.clear()
            return items
