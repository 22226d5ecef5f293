"""The Firebase Auth emulator alone (as `make run` starts it, from `.tools/firebase`), and users signed up on it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from storyscape_devtools.devstack import FIREBASE_PROJECT, DevStack, StackConfig
from storyscape_devtools.testing import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class EmulatedUser:
    uid: str
    id_token: str


@dataclass(frozen=True)
class AuthEmulator:
    port: int
    project_id: str = FIREBASE_PROJECT

    @property
    def host(self) -> str:
        """The value of FIREBASE_AUTH_EMULATOR_HOST for this emulator."""
        return f"127.0.0.1:{self.port}"

    def sign_up(self) -> EmulatedUser:
        """A new email/password user, signed in, as the iOS app's Firebase SDK does it."""
        response = httpx.post(
            f"http://{self.host}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key",
            json={"email": f"{time.time_ns()}@example.com", "password": "a-long-password", "returnSecureToken": True},
            timeout=10,
        )
        response.raise_for_status()
        body = response.json()
        return EmulatedUser(uid=str(body["localId"]), id_token=str(body["idToken"]))


@contextmanager
def auth_emulator(state_dir: Path, *, timeout: float = 90.0) -> Iterator[AuthEmulator]:
    """Start the emulator on a free port; stop it (its whole process group) afterwards."""
    stack = DevStack(StackConfig(root=REPO_ROOT, state_dir=state_dir, emulator_port=free_port()))
    stack.start_emulator()
    try:
        emulator = AuthEmulator(stack.config.emulator_port)
        deadline = time.monotonic() + timeout
        while True:
            if stack.processes["firebase-emulator"].poll() is not None:
                raise RuntimeError(f"the Auth emulator exited; see {stack.log_dir / 'firebase-emulator.log'}")
            try:
                if httpx.get(f"http://{emulator.host}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the Auth emulator did not start")
            time.sleep(0.2)
        yield emulator
    finally:
        stack.stop()
