"""Keeps the dev stack up: a process that exits on its own is started again after a backoff, at most a few times a
minute; each restart and each give-up is printed, so the developer sees what happened."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from storyscape_devtools.devstack import DevStack

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0
MAX_RESTARTS_PER_MINUTE = 5


@dataclass
class Supervisor:
    stack: DevStack
    say: Callable[[str], None] = lambda line: print(line, flush=True)
    max_restarts_per_minute: int = MAX_RESTARTS_PER_MINUTE
    restarts: dict[str, deque[float]] = field(default_factory=dict)
    due: dict[str, float] = field(default_factory=dict)  # service → when its restart is due
    given_up: set[str] = field(default_factory=set)

    def check(self) -> None:
        """Notice exits, schedule their restarts with backoff, and restart what is due."""
        now = time.monotonic()
        for name, process in list(self.stack.processes.items()):
            if process.poll() is None or name in self.given_up:
                continue
            if name not in self.due:
                self.schedule(name, process.returncode, now)
            elif now >= self.due[name]:
                del self.due[name]
                self.restarts[name].append(now)
                self.stack.restart(name)
                self.say(f"supervisor: restarted {name} (restart {len(self.restarts[name])} in the last minute)")

    def schedule(self, name: str, returncode: int | None, now: float) -> None:
        recent = self.restarts.setdefault(name, deque())
        while recent and now - recent[0] > 60:
            recent.popleft()
        if len(recent) >= self.max_restarts_per_minute:
            self.given_up.add(name)
            self.say(f"supervisor: {name} exited ({returncode}) {len(recent) + 1} times within a minute; not restarting it")
            return
        backoff = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** len(recent))
        self.due[name] = now + backoff
        log = self.stack.log_dir / f"{name}.log"
        self.say(f"supervisor: {name} exited with code {returncode}; restarting in {backoff:.1f} s (log: {log})")

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Check until `stop` is set (the foreground loop of `make run`, or a thread in the tests)."""
        while not stop.wait(interval):
            self.check()


def supervise_in_background(stack: DevStack, say: Callable[[str], None]) -> tuple[threading.Thread, threading.Event]:
    """Start a supervisor thread; set the returned event (and join the thread) before stopping the stack."""
    stop = threading.Event()
    thread = threading.Thread(target=Supervisor(stack, say=say).run, args=(stop,), daemon=True)
    thread.start()
    return thread, stop
