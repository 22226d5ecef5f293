"""The containers' health check (deploy/docker/healthcheck.py) against a real server whose event loop hangs, run as
compose runs it: the server is the child of an init process, and stopping the server ends that init (the container),
which compose's restart policy then starts again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from storyscape_devtools.testing import free_port

from deploy_tests.utils.tools import REPO_ROOT

HEALTHCHECK = REPO_ROOT / "deploy" / "docker" / "healthcheck.py"
# Stands in for Docker's init (tini): runs the server as its child, and exits as tini does when the child dies.
INIT = [sys.executable, "-c", "import subprocess, sys; rc = subprocess.call(sys.argv[1:]); sys.exit(128 - rc if rc < 0 else rc)"]
HANGABLE = [sys.executable, "-m", "storyscape_devtools.hangable", "--port"]
QUICK = ["--timeout", "0.5", "--tries", "3", "--pause", "0.1", "--term-grace", "1"]


@pytest.fixture
def container() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """An init running a server that answers /healthz (and hangs when asked), and the server's URL."""
    port = free_port()
    init = subprocess.Popen([*INIT, *HANGABLE, str(port)], start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while not answers(url):
            assert init.poll() is None and time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.05)
        yield init, url
    finally:
        if init.poll() is None:
            os.killpg(init.pid, signal.SIGKILL)
            init.wait()


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def run_check(url: str, init_pid: int, *, start_period: float) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(HEALTHCHECK), "--url", f"{url}/healthz", "--init-pid", str(init_pid)]
    command += [*QUICK, "--start-period", str(start_period)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def test_a_server_whose_event_loop_hangs_is_stopped_so_the_container_restarts(container: tuple[subprocess.Popen[bytes], str]) -> None:
    init, url = container

    healthy = run_check(url, init.pid, start_period=0)
    assert (healthy.returncode, healthy.stdout.strip()) == (0, "ok")
    # Nothing listening (a server still starting, or draining): unhealthy, but nothing is stopped.
    refused = run_check(f"http://127.0.0.1:{free_port()}", init.pid, start_period=0)
    assert refused.returncode == 1 and refused.stdout.startswith("unhealthy:"), refused.stdout
    assert init.poll() is None

    assert httpx.post(f"{url}/hang", timeout=2.0).status_code == 202
    # Younger than its start period (a model still loading on the loop, say): reported, never stopped.
    young = run_check(url, init.pid, start_period=3600)
    assert young.returncode == 1 and "nothing stopped" in young.stdout, young.stdout
    assert init.poll() is None

    hung = run_check(url, init.pid, start_period=0)
    assert hung.returncode == 1 and "stopping" in hung.stdout, hung.stdout
    # The server ignored SIGTERM (its stuck loop never runs uvicorn's handler), so SIGKILL ended it, and the init with it.
    assert init.wait(timeout=10) == 128 + signal.SIGKILL
    assert not answers(url)
