"""`serve()` as a service process runs it: header limits, slow clients, a connection cap, draining on SIGTERM,
and the operational endpoints on their own port. Each test starts `common_tests.served.app` in a new process."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest
from storyscape_devtools.testing import free_port

COMMON_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    operations_port: int | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def operations_url(self) -> str:
        return f"http://127.0.0.1:{self.operations_port or self.port}"


@contextmanager
def served(**settings: object) -> Iterator[Served]:
    """Run the served app under `serve()` with these settings (as `SERVED_*` variables) until the block ends."""
    port = free_port()
    env = {**os.environ, "SERVED_ENVIRONMENT": "development", "SERVED_HOST": "127.0.0.1", "SERVED_PORT": str(port)}
    env |= {f"SERVED_{name.upper()}": str(value) for name, value in settings.items()}
    operations_port = settings.get("operations_port")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-m", "common_tests.served.app"], cwd=COMMON_DIR, env=env, stdout=log, stderr=log)
        server = Served(process, port, int(str(operations_port)) if operations_port else None)
        try:
            wait_until_healthy(server, log)
            yield server
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()


def wait_until_healthy(server: Served, log: IO[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log.seek(0)
            raise RuntimeError("served app exited: " + log.read().decode(errors="replace"))
        try:
            if httpx.get(server.operations_url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError("served app did not start")


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed the connection (readable with nothing left to read)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def seconds_until_dropped(port: int, dribble: list[bytes], *, every: float, give_up_after: float) -> float | None:
    """Connect, send `dribble` one piece per `every` seconds (then idle); seconds until the server hung up."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        pending = list(dribble)
        while time.monotonic() - started < give_up_after:
            if closed_by_server(sock):
                return time.monotonic() - started
            if pending:
                try:
                    sock.sendall(pending.pop(0))
                except (BrokenPipeError, ConnectionResetError):
                    return time.monotonic() - started
            time.sleep(every)
    return None


def test_a_client_that_dribbles_its_headers_is_dropped() -> None:
    with served(header_timeout_seconds=1) as server:
        dribble = [b"GET /healthz HTTP/1.1\r\nHost: served\r\n", *[b"X-Slow: 1\r\n"] * 100]
        dropped_after = seconds_until_dropped(server.port, dribble, every=0.1, give_up_after=6)

        assert dropped_after is not None, "a client sending a header line every 0.1 s kept its connection for 6 s"
        assert 0.9 <= dropped_after < 3
        assert httpx.get(server.url + "/healthz").status_code == 200  # everyone else is still served


def test_a_client_that_connects_and_says_nothing_is_dropped() -> None:
    with served(header_timeout_seconds=1) as server:
        dropped_after = seconds_until_dropped(server.port, [], every=0.05, give_up_after=6)
        assert dropped_after is not None and dropped_after < 3


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_oversized_headers_get_431_in_the_error_shape() -> None:
    with served(max_header_bytes=4096) as server:
        big = raw_request(server.port, b"GET /healthz HTTP/1.1\r\nHost: s\r\nX-Big: " + b"b" * 6000 + b"\r\n\r\n")
        fits = httpx.get(server.url + "/healthz", headers={"X-Fits": "f" * 2000})

    assert big.startswith(b"HTTP/1.1 431 ")
    assert b'"code": "headers_too_large"' in big
    assert fits.status_code == 200


def test_connections_beyond_the_cap_get_503() -> None:
    with served(max_concurrent_connections=3) as server, httpx.Client(base_url=server.url, timeout=10) as first:
        with httpx.Client(base_url=server.url, timeout=10) as second:
            with first.stream("GET", "/v1/stream", params={"ticks": 8}), second.stream("GET", "/v1/stream", params={"ticks": 8}):
                turned_away = httpx.get(server.url + "/healthz", headers={"X-Request-ID": "over-the-cap"})
            after = httpx.get(server.url + "/healthz")

    assert turned_away.status_code == 503
    assert turned_away.json()["error"] == {
        "code": "upstream_unavailable",
        "message": "the server is at its connection limit; retry shortly",
        "request_id": "over-the-cap",
    }
    assert turned_away.headers["retry-after"] == "1" and turned_away.headers["x-request-id"] == "over-the-cap"
    assert after.status_code == 200


def test_sigterm_lets_a_running_stream_finish_and_takes_no_new_connections() -> None:
    with served(graceful_shutdown_seconds=10) as server:
        with httpx.stream("GET", server.url + "/v1/stream", params={"ticks": 8}, timeout=10) as response:
            lines = response.iter_lines()
            received = [next(lines)]
            server.process.send_signal(signal.SIGTERM)
            received.append(next(lines))  # a quarter second later: the signal has been handled
            with pytest.raises(httpx.ConnectError):
                httpx.get(server.url + "/healthz", timeout=2)
            received += list(lines)
        exit_code = server.process.wait(timeout=10)

    assert received == [*(f"tick {n}" for n in range(8)), "done"]
    assert exit_code in (0, -signal.SIGTERM)


def test_a_stream_longer_than_the_drain_timeout_is_cut_off() -> None:
    with served(graceful_shutdown_seconds=1) as server:
        received: list[str] = []
        with httpx.stream("GET", server.url + "/v1/stream", params={"ticks": 40}, timeout=10) as response:
            lines = response.iter_lines()
            received.append(next(lines))
            signalled = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            with pytest.raises(httpx.HTTPError):
                received += list(lines)
        server.process.wait(timeout=10)
        stopped_after = time.monotonic() - signalled

    assert "done" not in received
    assert stopped_after < 5


def test_operations_on_their_own_port_are_gone_from_the_public_one() -> None:
    with served(operations_port=free_port()) as server:
        public = {path: httpx.get(server.url + path).status_code for path in ("/metrics", "/%6detrics", "/readyz", "/healthz")}
        api = httpx.get(server.url + "/v1/stream")
        operations = {path: httpx.get(server.operations_url + path).status_code for path in ("/metrics", "/readyz", "/healthz")}
        api_on_operations = httpx.get(server.operations_url + "/v1/stream")
        metrics = httpx.get(server.operations_url + "/metrics").text

    assert public == {"/metrics": 404, "/%6detrics": 404, "/readyz": 404, "/healthz": 404}
    assert (api.status_code, api.text) == (200, "done\n")
    assert operations == {"/metrics": 200, "/readyz": 200, "/healthz": 200}
    assert api_on_operations.status_code == 404
    # One app behind both ports: the operations port reports what the public one served.
    assert 'route="/v1/stream",service="served",status="200"' in metrics
