"""Waiting requests, served round-robin by user: one user's burst waits behind its own requests, not others'."""

from __future__ import annotations

import asyncio
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


class FairGate:
    """At most `limit` holders at once; waiters are let in round-robin by user (for engines that schedule FIFO).

    asyncio only (one event loop). `acquire` may be cancelled while waiting; the slot is then not taken.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._holders = 0
        self._lines: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    async def acquire(self, user: str) -> None:
        if self._holders < self._limit and not self._lines:
            self._holders += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lines.setdefault(user, deque()).append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # let in just as it was cancelled: pass the slot on
            else:
                self._forget(user, turn)
            raise

    def release(self) -> None:
        self._holders -= 1
        while self._lines and self._holders < self._limit:
            user, line = next(iter(self._lines.items()))
            turn = line.popleft()
            del self._lines[user]
            if line:
                self._lines[user] = line  # back of the rotation
            if not turn.done():
                self._holders += 1
                turn.set_result(None)

    def _forget(self, user: str, turn: asyncio.Future[None]) -> None:
        line = self._lines.get(user)
        if line is not None and turn in line:
            line.remove(turn)
            if not line:
                del self._lines[user]
