"""Runs the whole product on one machine: the Firebase Auth emulator and all six services on loopback.

`make run` uses it in the foreground; the end-to-end tests and the gateway benchmark start it on free ports.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from storyscape_common.internal_auth import ensure_dev_keys
from storyscape_common.registry import (
    GATEWAY,
    HINDI_LLM_SERVICE,
    HISTORY_SERVICE,
    MEDIA_SERVICE,
    PROMPT_SERVICE,
    SERVICES,
    STORY_SERVICE,
    ServiceInfo,
    service,
)
from storyscape_devtools.testing import free_port

FIREBASE_PROJECT = "demo-storyscape"
EMULATOR_DEFAULT_PORT = 9099
CONSOLE_DEFAULT_PORT = 8501


@dataclass
class StackConfig:
    """Where the stack keeps its state and which ports it listens on."""

    root: Path
    state_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: {s.name: s.default_port for s in SERVICES})
    emulator_port: int = EMULATOR_DEFAULT_PORT
    console_port: int | None = None  # the Streamlit console, when it should run too
    emulator_hub_port: int | None = None  # a free port unless given
    model_path: Path | None = None
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


class DevStack:
    """Starts, watches and stops the emulator and the services as child processes (each in its own group)."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.launches: dict[str, tuple[list[str], dict[str, str], Path]] = {}  # how each was started, to restart it
        self.health_urls: dict[str, str] = {}  # the `/healthz` the supervisor probes, for processes that have one
        self.log_dir = config.state_dir / "logs"

    def service_env(self, spec: ServiceInfo, keys: Path) -> dict[str, str]:
        """Every setting the dev stack gives a service: environment, port, trust, the URLs of the services it calls."""
        cfg, p = self.config, spec.env_prefix
        env = {
            f"{p}ENVIRONMENT": "development",
            f"{p}HOST": "127.0.0.1",
            f"{p}PORT": str(cfg.ports[spec.name]),
            f"{p}INTERNAL_PUBLIC_KEYS_DIR": str(keys / "public"),
        }
        if spec.may_address:
            env[f"{p}INTERNAL_SIGNING_KEY_FILE"] = str(keys / f"{spec.issuer}.pem")
        for target in sorted(spec.may_address):
            # OpenAI-compatible clients take the API root as their base URL.
            suffix = "/v1" if target == HINDI_LLM_SERVICE else ""
            env[f"{p}{service(target).env_prefix}URL"] = cfg.url(target) + suffix
        data = cfg.state_dir / "data"
        emulator = {"FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{cfg.emulator_port}"}
        if spec.name == GATEWAY:
            env |= {"GATEWAY_FIREBASE_PROJECT_ID": FIREBASE_PROJECT, **emulator}
        elif spec.name == HISTORY_SERVICE:
            env["HISTORY_DATABASE_URL"] = f"sqlite:///{data / 'history.db'}"
        elif spec.name == PROMPT_SERVICE:
            env["PROMPT_DATABASE_URL"] = f"sqlite:///{data / 'prompt.db'}"
        elif spec.name == STORY_SERVICE:
            # Account deletion deletes the Firebase user too: in the emulator here. Its second sweep (for what requests
            # already running wrote) comes after a minute, not production's ten: here one gateway drops the reader's
            # cached tokens at once, so no new request can start, and a reader waits for "done" at a desk.
            env |= {
                "STORY_DATABASE_URL": f"sqlite:///{data / 'story.db'}",
                "STORY_FIREBASE_PROJECT_ID": FIREBASE_PROJECT,
                "STORY_ACCOUNT_DELETION_RESWEEP_SECONDS": "60",
                **emulator,
            }
        elif spec.name == MEDIA_SERVICE:
            env |= {
                "MEDIA_LOCAL_DIR": str(data / "media"),
                "MEDIA_PUBLIC_BASE_URL": cfg.url(GATEWAY),
                "MEDIA_DATABASE_URL": f"sqlite:///{data / 'media.db'}",
            }
        elif spec.name == HINDI_LLM_SERVICE and cfg.model_path is not None:
            env["HINDI_LLM_MODEL_PATH"] = str(cfg.model_path)
        return env | cfg.extra_env.get(spec.name, {})

    def health_url(self, spec: ServiceInfo, env: dict[str, str]) -> str:
        """Where a service started with `env` answers `/healthz` (its operations port, when it has one)."""
        port = env.get(f"{spec.env_prefix}OPERATIONS_PORT") or env.get(f"{spec.env_prefix}PORT") or self.config.ports[spec.name]
        return f"http://127.0.0.1:{port}/healthz"

    def spawn(self, name: str, command: list[str], env: dict[str, str], cwd: Path, *, health_url: str | None = None) -> None:
        """Start `name` in its own process group, logging to its file; with `health_url`, the supervisor probes it."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.launches[name] = (command, env, cwd)
        if health_url is not None:
            self.health_urls[name] = health_url
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it until it exits
        self.processes[name] = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def restart(self, name: str) -> None:
        """Start an exited process again, as it was first started."""
        self.spawn(name, *self.launches[name])

    def start_emulator(self) -> None:
        emulator_dir = self.config.state_dir / "firebase"
        emulator_dir.mkdir(parents=True, exist_ok=True)
        (emulator_dir / "firebase.json").write_text(
            json.dumps(
                {
                    "emulators": {
                        "auth": {"host": "127.0.0.1", "port": self.config.emulator_port},
                        # Its hub and logging ports too: two stacks on one machine (tests, `make run`) must not collide.
                        "hub": {"host": "127.0.0.1", "port": self.config.emulator_hub_port or free_port()},
                        "logging": {"host": "127.0.0.1", "port": free_port()},
                        "ui": {"enabled": False},
                        "singleProjectMode": True,
                    }
                }
            )
        )
        binary = self.config.root / ".tools" / "firebase" / "node_modules" / ".bin" / "firebase"
        home = self.config.root / ".tools" / "firebase-home"
        home.mkdir(parents=True, exist_ok=True)
        # CI=true stops the update check and message-of-the-day fetch; HOME keeps its config out of the user's home.
        env = {"CI": "true", "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
        self.spawn(
            "firebase-emulator", [str(binary), "emulators:start", "--only", "auth", "--project", FIREBASE_PROJECT], env, emulator_dir
        )

    def start_console(self, port: int) -> None:
        """The developer console, a client of the gateway like the iOS app (it reaches no service directly)."""
        cfg = self.config
        home = cfg.state_dir / "console-home"
        home.mkdir(parents=True, exist_ok=True)
        env = {
            "CONSOLE_GATEWAY_URL": cfg.url(GATEWAY),
            "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{cfg.emulator_port}",
            "HOME": str(home),  # Streamlit keeps its machine id and credentials under HOME
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
        app = cfg.root / "console" / "storyscape_console" / "app.py"
        command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true", "--server.address", "127.0.0.1",
                   "--server.port", str(port)]  # fmt: skip
        self.spawn("console", command, env, cfg.root)

    def start(self, *, timeout: float = 180.0) -> None:
        """Start everything and return once every service answers `/readyz` (or raise, stopping what started)."""
        keys = self.config.state_dir / "keys"
        ensure_dev_keys(keys, tuple(spec.issuer for spec in SERVICES if spec.may_address))
        try:
            self.start_emulator()
            for spec in SERVICES:
                # HINDI_LLM_PYTHON: run hindi-llm-service from another venv (vLLM's: `make run HINDI_LLM_ENGINE=vllm`).
                python = os.environ.get("HINDI_LLM_PYTHON", sys.executable) if spec.name == HINDI_LLM_SERVICE else sys.executable
                command, env = [python, "-m", spec.module], self.service_env(spec, keys)
                self.spawn(spec.name, command, env, self.config.root, health_url=self.health_url(spec, env))
            if self.config.console_port is not None:
                self.start_console(self.config.console_port)
            self.wait_ready(timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = {s.name: f"{self.config.url(s.name)}/readyz" for s in SERVICES}
        pending["firebase-emulator"] = f"http://127.0.0.1:{self.config.emulator_port}/"
        if self.config.console_port is not None:
            pending["console"] = f"http://127.0.0.1:{self.config.console_port}/_stcore/health"
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name, url in list(pending.items()):
                    if self.processes[name].poll() is not None:
                        raise RuntimeError(f"{name} exited; see {self.log_dir / (name + '.log')}")
                    try:
                        if client.get(url).status_code == 200:
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
                time.sleep(0.25)

    def stop(self) -> None:
        """SIGTERM every process group, then SIGKILL what is left after a grace period."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def __enter__(self) -> DevStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    from storyscape_devtools.supervisor import HealthPolicy, Supervisor  # it imports this module

    parser = argparse.ArgumentParser(description="Run the whole StoryScape stack on this machine.")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--state-dir", type=Path, default=Path(".data"))
    defaults = HealthPolicy()
    parser.add_argument("--health-interval", type=float, default=defaults.interval, help="seconds between /healthz probes")
    parser.add_argument("--health-timeout", type=float, default=defaults.timeout, help="seconds a /healthz answer may take")
    parser.add_argument(
        "--health-failures",
        type=int,
        default=defaults.failures,
        help="missed /healthz probes in a row before a service is restarted (0: never, e.g. to pause one in a debugger)",
    )
    args = parser.parse_args()
    health = HealthPolicy(interval=args.health_interval, timeout=args.health_timeout, failures=args.health_failures)
    config = StackConfig(root=args.root.resolve(), state_dir=args.state_dir.resolve(), console_port=CONSOLE_DEFAULT_PORT)
    stack = DevStack(config)
    # Ctrl-C and SIGTERM both stop the stack, even when started from a shell that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    print(f"starting the Firebase Auth emulator, six services and the console (http://127.0.0.1:{config.console_port})…", flush=True)
    stack.start()
    print(
        f"StoryScape is up in {time.monotonic() - started:.1f} s\n"
        f"  console       http://127.0.0.1:{config.console_port}\n"
        f"  gateway       {config.url('gateway')}\n"
        f"  API docs      {config.url('gateway')}/docs\n"
        f"  auth emulator http://127.0.0.1:{config.emulator_port}  (project {FIREBASE_PROJECT})\n"
        f"  logs          {stack.log_dir}\n"
        "A service that crashes or stops answering /healthz is restarted (with backoff, at most 5 times a minute).\n"
        "Ctrl-C stops everything.",
        flush=True,
    )
    try:
        Supervisor(stack, health=health).run(threading.Event())  # restarts what crashes or hangs, until Ctrl-C
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
