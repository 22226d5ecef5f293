"""The gateway as its own process, served as `python -m gateway` serves it (storyscape_common's server: uvicorn with
its edge limits, the operations port when set), with firebase-admin pointed at the tests' loopback stand-ins for
Google's certs and user lookup. `python -m gateway_tests.utils.gateway_process`, run from `gateway/`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

GATEWAY_DIR = Path(__file__).resolve().parents[2]
CERT_URL_VARIABLE = "TEST_FIREBASE_CERT_URL"
TOOLKIT_URL_VARIABLE = "TEST_IDENTITY_TOOLKIT_URL"


class GatewayProcess:
    """Start with `env` (GATEWAY_* settings and the two stand-in URLs); stop with SIGTERM on leaving."""

    def __init__(self, env: dict[str, str], *, port: int, log: Path) -> None:
        self.env = env
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_bytes(self) -> int:
        """Resident memory of the gateway process now (Linux /proc)."""
        return self.status_field("VmRSS")

    def peak_rss_bytes(self) -> int:
        return self.status_field("VmHWM")

    def status_field(self, name: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
        raise KeyError(name)

    def open_sockets(self) -> int:
        return sum(1 for fd in Path(f"/proc/{self.pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))

    def __enter__(self) -> GatewayProcess:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and k != "FIREBASE_AUTH_EMULATOR_HOST"}
        with self.log.open("ab") as log:
            command = [sys.executable, "-m", "gateway_tests.utils.gateway_process"]
            self.process = subprocess.Popen(command, cwd=GATEWAY_DIR, env={**environment, **self.env}, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        health_port = self.env.get("GATEWAY_OPERATIONS_PORT", str(self.port))
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gateway exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{health_port}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the gateway did not start")
            time.sleep(0.1)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> None:
    import firebase_admin._token_gen
    import firebase_admin._user_mgt

    from gateway.settings import Settings
    from storyscape_common.app import serve

    # The SDK reads these when the gateway verifies its first token.
    firebase_admin._token_gen.ID_TOKEN_CERT_URI = os.environ[CERT_URL_VARIABLE]
    firebase_admin._user_mgt.UserManager.ID_TOOLKIT_URL = os.environ[TOOLKIT_URL_VARIABLE]
    serve("gateway.main:create_app", Settings())


if __name__ == "__main__":
    main()
