"""The dev stack's supervisor restarts a process that exits, with backoff, and gives up after its limit per minute;
it kills and restarts a service whose event loop stops answering `/healthz`."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.supervisor import HealthPolicy, Supervisor
from storyscape_devtools.testing import free_port

EXIT_AT_ONCE = [sys.executable, "-c", "raise SystemExit(3)"]
RUN_LONG = [sys.executable, "-c", "import time; time.sleep(60)"]
HANGABLE = [sys.executable, "-m", "storyscape_devtools.hangable", "--port"]
# Fast enough for a test; `make run` probes every 5 s with a 2 s timeout.
QUICK_HEALTH = HealthPolicy(interval=0.2, timeout=0.5, failures=3, kill_grace=1.0)


def test_a_crashed_process_is_restarted_with_backoff_until_the_limit(tmp_path: Path) -> None:
    stack = DevStack(StackConfig(root=tmp_path, state_dir=tmp_path))
    lines: list[str] = []
    stack.spawn("crashing", EXIT_AT_ONCE, {}, tmp_path)
    stack.spawn("steady", RUN_LONG, {}, tmp_path)
    steady_pid = stack.processes["steady"].pid
    stop = threading.Event()
    thread = threading.Thread(target=Supervisor(stack, say=lines.append, max_restarts_per_minute=3).run, args=(stop, 0.05))
    started = time.monotonic()
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not any("not restarting" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join()
        stack.stop()

    restarts = [line for line in lines if line.startswith("supervisor: restarted crashing")]
    assert len(restarts) == 3
    assert any("exited with code 3; restarting in 0.5 s" in line for line in lines)
    assert any("restarting in 2.0 s" in line for line in lines)  # backoff doubles: 0.5, 1, 2
    assert time.monotonic() - started >= 3.5
    assert "supervisor: crashing exited (3) 4 times within a minute; not restarting it" in lines
    assert stack.processes == {}  # stopped cleanly, the steady one included
    assert not any("steady" in line for line in lines), steady_pid


def wait_for(condition: Callable[[], object], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds:g} s for {what}"
        time.sleep(0.05)


def healthz_pid(base_url: str) -> int | None:
    """The pid that answers `/healthz` now, or None when nothing answers within a second."""
    try:
        response = httpx.get(f"{base_url}/healthz", timeout=1.0)
    except httpx.HTTPError:
        return None
    return int(response.json()["pid"]) if response.status_code == 200 else None


def test_a_service_whose_event_loop_hangs_is_killed_and_restarted(tmp_path: Path) -> None:
    stack = DevStack(StackConfig(root=tmp_path, state_dir=tmp_path))
    hanging_port, neighbour_port, silent_port = free_port(), free_port(), free_port()
    hanging, neighbour = f"http://127.0.0.1:{hanging_port}", f"http://127.0.0.1:{neighbour_port}"
    stack.spawn("hanging", [*HANGABLE, str(hanging_port)], {}, tmp_path, health_url=f"{hanging}/healthz")
    stack.spawn("neighbour", [*HANGABLE, str(neighbour_port)], {}, tmp_path, health_url=f"{neighbour}/healthz")
    # Never answers, like a service still loading its model: it must be left alone, however long that takes.
    stack.spawn("slow-start", RUN_LONG, {}, tmp_path, health_url=f"http://127.0.0.1:{silent_port}/healthz")
    first_pid, neighbour_pid, slow_pid = (stack.processes[name].pid for name in ("hanging", "neighbour", "slow-start"))
    lines: list[str] = []
    supervisor = Supervisor(stack, say=lines.append, health=QUICK_HEALTH)
    stop = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stop, 0.05))
    thread.start()
    try:
        wait_for(lambda: healthz_pid(hanging) == first_pid, seconds=20, what="the service to answer /healthz")
        # Misses count only once the supervisor has seen it answer (a slow start is not a hang).
        wait_for(lambda: supervisor.watches["hanging"].answered, seconds=5, what="the supervisor to see it answer")
        assert httpx.post(f"{hanging}/hang", timeout=2.0).status_code == 202
        hung_at = time.monotonic()

        wait_for(lambda: any(line.startswith("supervisor: restarted hanging") for line in lines), seconds=10, what="a restart")
        restarted_after = time.monotonic() - hung_at
        new_pid = stack.processes["hanging"].pid
        wait_for(lambda: healthz_pid(hanging) == new_pid, seconds=20, what="the restarted service to answer /healthz")
        neighbour_answers_from = healthz_pid(neighbour)
        slow_start_still = stack.processes["slow-start"].pid if stack.processes["slow-start"].poll() is None else None
    finally:
        stop.set()
        thread.join()
        stack.stop()

    assert new_pid != first_pid
    missed = [line for line in lines if line.startswith("supervisor: hanging did not answer /healthz 3 times in a row")]
    assert len(missed) == 1, lines
    assert "no answer within 0.5 s" in missed[0]
    # uvicorn's SIGTERM handler only sets a flag for the stuck loop to read, so only SIGKILL ends it.
    assert "supervisor: hanging still running 1 s after SIGTERM; sending SIGKILL" in lines
    assert any(line.startswith("supervisor: hanging exited with code -9; restarting in 0.5 s") for line in lines), lines
    assert restarted_after < 8, f"restarted {restarted_after:.1f} s after the hang began"
    assert not any("neighbour" in line or "slow-start" in line for line in lines), lines
    assert neighbour_answers_from == neighbour_pid
    assert slow_start_still == slow_pid
