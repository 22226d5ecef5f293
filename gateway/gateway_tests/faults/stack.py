"""Real processes for the fault tests: gateway, story-service and history-service as `make run` starts them, and a
paced OpenAI-protocol stand-in on hindi-llm-service's port (a measuring instrument, so no model has to load).

Processes are started by the dev stack's own launcher, so its supervisor can restart them when a test kills one.
"""

from __future__ import annotations

import base64
import json
import signal
import sys
import time
import uuid
from pathlib import Path

import httpx
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.testing import free_port

from storyscape_common.internal_auth import ensure_dev_keys
from storyscape_common.registry import GATEWAY, HINDI_LLM_SERVICE, HISTORY_SERVICE, SERVICES, STORY_SERVICE, service

REPO_ROOT = Path(__file__).resolve().parents[3]
PROJECT = "demo-storyscape"
STORY = {"prompt": "A kitten who learns to share", "language": "hi", "age_group": "3-5", "genres": ["animals"], "ai_images": False}


class FaultStack:
    """Starts chosen services of the stack; `kill`, `terminate` and `start` act on one of them."""

    def __init__(self, state_dir: Path, extra_env: dict[str, dict[str, str]] | None = None, model_path: Path | None = None) -> None:
        ports = {spec.name: free_port() for spec in SERVICES}
        extra_env = dict(extra_env or {})
        # The tests forge emulator tokens (`emulator_token`) and start no emulator: there is no account to look up
        # (test_revocation covers the lookup, on the emulator).
        extra_env[GATEWAY] = {"GATEWAY_FIREBASE_CHECK_REVOKED": "false", **extra_env.get(GATEWAY, {})}
        self.config = StackConfig(
            root=REPO_ROOT, state_dir=state_dir, ports=ports, emulator_port=free_port(), extra_env=extra_env, model_path=model_path
        )
        self.stack = DevStack(self.config)
        self.keys = state_dir / "keys"
        ensure_dev_keys(self.keys, tuple(spec.issuer for spec in SERVICES if spec.may_address))

    def start(self, name: str, *, tokens_per_second: float = 20.0, tokens: int = 40) -> None:
        """Start `name`; hindi-llm-service is the real one when the stack has a model, else the paced instrument."""
        if name == HINDI_LLM_SERVICE and self.config.model_path is None:
            port = str(self.config.ports[name])
            command = [sys.executable, "-m", "storyscape_devtools.paced_openai", "--port", port]
            command += ["--tokens-per-second", str(tokens_per_second), "--tokens", str(tokens)]
            self.stack.spawn(name, command, {}, REPO_ROOT)
        else:
            spec = service(name)
            self.stack.spawn(name, [sys.executable, "-m", spec.module], self.stack.service_env(spec, self.keys), REPO_ROOT)
        self.wait_up(name)

    def wait_up(self, name: str, timeout: float = 90.0) -> None:
        # A real model server is up once its model is loaded (`/readyz`); the others once they answer at all.
        real_model = name == HINDI_LLM_SERVICE and self.config.model_path is not None
        url = self.url(name) + ("/readyz" if real_model else "/healthz")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stack.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.stack.log_dir / (name + '.log')}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{name} did not come up")

    def url(self, name: str) -> str:
        return self.config.url(name)

    def kill(self, name: str) -> None:
        """SIGKILL: the process dies at once, as in a crash or an OOM kill."""
        process = self.stack.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def terminate(self, name: str) -> None:
        self.stack.processes[name].send_signal(signal.SIGTERM)

    def stop(self) -> None:
        self.stack.stop()

    def log(self, name: str) -> str:
        return (self.stack.log_dir / f"{name}.log").read_text(errors="replace")


def emulator_token(uid: str | None = None) -> str:
    """An ID token as the Auth emulator issues it (unsigned): the gateway accepts these only for `demo-*` projects."""
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{PROJECT}",
        "aud": PROJECT,
        "sub": uid or uuid.uuid4().hex,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
    }

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def user_headers(uid: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {emulator_token(uid)}", "Accept": "text/event-stream"}


__all__ = ["GATEWAY", "HINDI_LLM_SERVICE", "HISTORY_SERVICE", "STORY_SERVICE", "FaultStack", "user_headers", "STORY"]
