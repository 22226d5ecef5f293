"""Keeps the dev stack up: a process that exits on its own is started again after a backoff, at most a few times a
minute, and a service whose event loop stops answering `/healthz` is killed and then restarted the same way. Each
restart and each give-up is printed, so the developer sees what happened."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from storyscape_devtools.devstack import DevStack

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0
MAX_RESTARTS_PER_MINUTE = 5


@dataclass(frozen=True)
class HealthPolicy:
    """How often each service's `/healthz` is asked, how long an answer may take, and after how many misses in a row
    a service that has answered before is killed and restarted (`failures` 0: never, e.g. while debugging)."""

    interval: float = 5.0
    timeout: float = 2.0
    failures: int = 3
    kill_grace: float = 5.0  # SIGTERM, then SIGKILL: a stuck event loop never runs uvicorn's SIGTERM handler


@dataclass
class HealthWatch:
    """What the supervisor knows of one process's health; a restarted process gets a new one."""

    pid: int
    answered: bool = False  # misses count only once it has answered, so a slow start (a model loading) is no hang
    misses: int = 0
    next_probe: float = 0.0
    probe: Future[str | None] | None = None
    terminated_at: float | None = None
    killed: bool = False


def probe_health(url: str, timeout: float) -> str | None:
    """None when `url` answers 200 within `timeout`; otherwise what went wrong."""
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.TimeoutException:
        return f"no answer within {timeout:g} s"
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}"
    return None if response.status_code == 200 else f"status {response.status_code}"


def signal_group(pid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pid, signum)  # each process leads its own group (DevStack.spawn), so its children go too
    except ProcessLookupError:
        pass  # it exited meanwhile; the exit path restarts it


@dataclass
class Supervisor:
    stack: DevStack
    say: Callable[[str], None] = lambda line: print(line, flush=True)
    max_restarts_per_minute: int = MAX_RESTARTS_PER_MINUTE
    health: HealthPolicy = field(default_factory=HealthPolicy)
    restarts: dict[str, deque[float]] = field(default_factory=dict)
    due: dict[str, float] = field(default_factory=dict)  # service → when its restart is due
    given_up: set[str] = field(default_factory=set)
    watches: dict[str, HealthWatch] = field(default_factory=dict)
    # Probes run here, never on the loop that calls check(): one hung service must not delay the others' checks.
    probes: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="healthz"))

    def check(self) -> None:
        """Notice exits and hangs, schedule restarts with backoff, and restart what is due."""
        now = time.monotonic()
        for name, process in list(self.stack.processes.items()):
            if name in self.given_up:
                continue
            if process.poll() is None:
                self.watch_health(name, process.pid, now)
            elif name not in self.due:
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

    def watch_health(self, name: str, pid: int, now: float) -> None:
        """Collect a finished probe, start the next when due, and stop a process that has stopped answering."""
        url = self.stack.health_urls.get(name)
        if url is None or self.health.failures <= 0:
            return
        watch = self.watches.get(name)
        if watch is None or watch.pid != pid:
            watch = self.watches[name] = HealthWatch(pid, next_probe=now)
        if watch.terminated_at is not None:
            self.finish_kill(name, watch, now)
            return
        if watch.probe is not None:
            if not watch.probe.done():
                return
            failure, watch.probe = watch.probe.result(), None
            self.record(name, watch, failure, now)
        if watch.terminated_at is None and now >= watch.next_probe:
            watch.next_probe = now + self.health.interval
            watch.probe = self.probes.submit(probe_health, url, self.health.timeout)

    def record(self, name: str, watch: HealthWatch, failure: str | None, now: float) -> None:
        if failure is None:
            watch.answered, watch.misses = True, 0
            return
        if not watch.answered:
            return
        watch.misses += 1
        if watch.misses >= self.health.failures:
            self.say(
                f"supervisor: {name} did not answer /healthz {watch.misses} times in a row ({failure}); restarting it "
                f"(SIGTERM, then SIGKILL after {self.health.kill_grace:g} s)"
            )
            watch.terminated_at = now
            signal_group(watch.pid, signal.SIGTERM)

    def finish_kill(self, name: str, watch: HealthWatch, now: float) -> None:
        if not watch.killed and now - (watch.terminated_at or now) >= self.health.kill_grace:
            watch.killed = True
            self.say(f"supervisor: {name} still running {self.health.kill_grace:g} s after SIGTERM; sending SIGKILL")
            signal_group(watch.pid, signal.SIGKILL)

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Check until `stop` is set (the foreground loop of `make run`, or a thread in the tests)."""
        try:
            while not stop.wait(interval):
                self.check()
        finally:
            self.probes.shutdown(wait=False, cancel_futures=True)


def supervise_in_background(stack: DevStack, say: Callable[[str], None]) -> tuple[threading.Thread, threading.Event]:
    """Start a supervisor thread; set the returned event (and join the thread) before stopping the stack."""
    stop = threading.Event()
    thread = threading.Thread(target=Supervisor(stack, say=say).run, args=(stop,), daemon=True)
    thread.start()
    return thread, stop
