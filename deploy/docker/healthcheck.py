"""The container health check of every StoryScape image (installed as /usr/local/bin/storyscape-healthcheck).

Exits 0 when `/healthz` answers 200, 1 otherwise. Docker marks a container unhealthy but never restarts it (only
Swarm does), so this check restarts a hung server itself: when the server accepts the connection yet gives no answer
`--tries` times in a row (its event loop is stuck; the kernel still queues connections on the listening socket), it
stops the server, SIGTERM then SIGKILL (a stuck loop never runs uvicorn's SIGTERM handler). The kernel lets nothing in
a container kill its PID 1, so compose runs the server under Docker's init (`init: true`): the server is a child of
PID 1, its death ends the container, and `restart: unless-stopped` starts it again.

A refused connection (starting up, shutting down) or an error status only reports unhealthy, and a server younger
than `--start-period` is never stopped. Standard library only: it runs in every image, the GPU one included.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

NO_ANSWER = "no answer"


def probe(url: str, timeout: float) -> str | None:
    """None when `url` answers 200 within `timeout`; NO_ANSWER when it accepted but said nothing; else the error."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return None if response.status == 200 else f"status {response.status}"
    except urllib.error.HTTPError as error:
        return f"status {error.code}"
    except urllib.error.URLError as error:
        return NO_ANSWER if isinstance(error.reason, TimeoutError) else str(error.reason)
    except TimeoutError:
        return NO_ANSWER
    except OSError as error:
        return str(error)


def stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from its third field (state) on; the command name may hold spaces and parentheses."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(stat_fields(int(entry.name))[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # exited while we looked
    return found


def age_seconds(pid: int) -> float:
    started_ticks = int(stat_fields(pid)[19])
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - started_ticks / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        return stat_fields(pid)[0] != "Z"
    except OSError:
        return False


def stop(pids: list[int], grace: float) -> None:
    """SIGTERM, then SIGKILL whatever is still running after `grace` seconds."""
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description="Probe /healthz; stop a server that has stopped answering.")
    parser.add_argument("--url", default="http://127.0.0.1:8000/healthz")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds one answer may take")
    parser.add_argument("--tries", type=int, default=3, help="unanswered tries in a row before the server is stopped")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between tries")
    parser.add_argument("--start-period", type=float, default=60.0, help="a server younger than this is never stopped")
    parser.add_argument("--term-grace", type=float, default=5.0, help="seconds between SIGTERM and SIGKILL")
    parser.add_argument("--init-pid", type=int, default=1, help="the server is this process's child (Docker's init)")
    args = parser.parse_args()

    for attempt in range(args.tries):
        failure = probe(args.url, args.timeout)
        if failure is None:
            print("ok")
            return 0
        if failure != NO_ANSWER:
            print(f"unhealthy: {failure}")
            return 1
        if attempt + 1 < args.tries:
            time.sleep(args.pause)
    servers = [pid for pid in children_of(args.init_pid) if age_seconds(pid) >= args.start_period]
    if not servers:
        print(f"no answer in {args.tries} tries; nothing stopped (no child of pid {args.init_pid} older than the start period)")
        return 1
    print(f"no answer in {args.tries} tries of {args.timeout:g} s: stopping {servers} so that the container restarts")
    stop(servers, args.term_grace)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
