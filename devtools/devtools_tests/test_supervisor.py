"""The dev stack's supervisor restarts a process that exits, with backoff, and gives up after its limit per minute."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.supervisor import Supervisor

EXIT_AT_ONCE = [sys.executable, "-c", "raise SystemExit(3)"]
RUN_LONG = [sys.executable, "-c", "import time; time.sleep(60)"]


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
