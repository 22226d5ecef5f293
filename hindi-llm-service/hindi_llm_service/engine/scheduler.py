"""Waiting requests, served fairly by user: one user's burst waits behind its own requests, not others'."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from typing import Generic, Protocol, TypeVar


class Owned(Protocol):
    @property
    def user(self) -> str: ...


T = TypeVar("T", bound=Owned)
W = TypeVar("W")


class Rotation(Generic[W]):
    """One line per waiting user; `take` serves the waiting user whose last admission is oldest.

    A user with nothing admitted since they started waiting goes first (in order of arrival), so a newcomer
    waits for at most one admission per user already waiting, even if a burst's turn began just before they
    arrived. Not thread-safe: the callers lock.
    """

    def __init__(self) -> None:
        self._lines: dict[str, deque[W]] = {}  # insertion order is arrival order
        self._admitted: dict[str, int] = {}  # user -> admission count when last admitted (waiting users only)
        self._admissions = 0

    def __bool__(self) -> bool:
        return bool(self._lines)

    def add(self, user: str, item: W) -> None:
        self._lines.setdefault(user, deque()).append(item)

    def take(self) -> W:
        user = min(self._lines, key=lambda u: self._admitted.get(u, -1))  # ties: the earliest arrival
        line = self._lines[user]
        item = line.popleft()
        self._admissions += 1
        if line:
            self._admitted[user] = self._admissions
        else:
            del self._lines[user]
            self._admitted.pop(user, None)
        return item

    def remove(self, user: str, item: W) -> None:
        line = self._lines.get(user)
        if line is not None and item in line:
            line.remove(item)
            if not line:
                del self._lines[user]
                self._admitted.pop(user, None)

    def drain(self) -> list[W]:
        items = [item for line in self._lines.values() for item in line]
        self._lines.clear()
        self._admitted.clear()
        return items


class FairQueue(Generic[T]):
    """A thread-safe queue with one line per user; `pop` takes from each user in turn (see `Rotation`)."""

    def __init__(self) -> None:
        self._lines: Rotation[T] = Rotation()
        self._ready = threading.Condition()
        self._woken = False

    def put(self, item: T) -> None:
        with self._ready:
            self._lines.add(item.user, item)
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
            return self._lines.take()

    def drain(self) -> list[T]:
        with self._ready:
            return self._lines.drain()


class FairGate:
    """At most `limit` holders at once; waiters are let in fairly by user (`Rotation`; for engines that schedule FIFO).

    asyncio only (one event loop). `acquire` may be cancelled while waiting; the slot is then not taken.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._holders = 0
        self._lines: Rotation[asyncio.Future[None]] = Rotation()

    async def acquire(self, user: str) -> None:
        if self._holders < self._limit and not self._lines:
            self._holders += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lines.add(user, turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # let in just as it was cancelled: pass the slot on
            else:
                self._lines.remove(user, turn)
            raise

    def release(self) -> None:
        self._holders -= 1
        while self._lines and self._holders < self._limit:
            turn = self._lines.take()
            if not turn.done():
                self._holders += 1
                turn.set_result(None)
