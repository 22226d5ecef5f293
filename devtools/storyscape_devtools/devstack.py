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
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from storyscape_common.internal_auth import ensure_dev_key_pair

FIREBASE_PROJECT = "demo-storyscape"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    directory: str
    module: str
    env_prefix: str
    default_port: int


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("history-service", "history-service", "history_service", "HISTORY_", 8004),
    ServiceSpec("prompt-service", "prompt-service", "prompt_service", "PROMPT_", 8003),
    ServiceSpec("media-service", "media-service", "media_service", "MEDIA_", 8002),
    ServiceSpec("hindi-llm-service", "hindi-llm-service", "hindi_llm_service", "HINDI_LLM_", 8005),
    ServiceSpec("story-service", "story-service", "story_service", "STORY_", 8001),
    ServiceSpec("gateway", "gateway", "gateway", "GATEWAY_", 8000),
)
EMULATOR_DEFAULT_PORT = 9099


@dataclass
class StackConfig:
    """Where the stack keeps its state and which ports it listens on."""

    root: Path
    state_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: {s.name: s.default_port for s in SERVICES})
    emulator_port: int = EMULATOR_DEFAULT_PORT
    model_path: Path | None = None
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


class DevStack:
    """Starts, watches and stops the emulator and the services as child processes (each in its own group)."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.log_dir = config.state_dir / "logs"

    def service_env(self, spec: ServiceSpec, public_key: Path, private_key: Path) -> dict[str, str]:
        cfg, p = self.config, spec.env_prefix
        env = {
            f"{p}ENVIRONMENT": "development",
            f"{p}HOST": "127.0.0.1",
            f"{p}PORT": str(cfg.ports[spec.name]),
            f"{p}INTERNAL_PUBLIC_KEY_FILE": str(public_key),
        }
        data = cfg.state_dir / "data"
        if spec.name == "gateway":
            env |= {
                "GATEWAY_INTERNAL_SIGNING_KEY_FILE": str(private_key),
                "GATEWAY_FIREBASE_PROJECT_ID": FIREBASE_PROJECT,
                "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{cfg.emulator_port}",
                "GATEWAY_STORY_URL": cfg.url("story-service"),
                "GATEWAY_MEDIA_URL": cfg.url("media-service"),
                "GATEWAY_PROMPT_URL": cfg.url("prompt-service"),
                "GATEWAY_HISTORY_URL": cfg.url("history-service"),
            }
        elif spec.name == "story-service":
            env |= {
                "STORY_INTERNAL_SIGNING_KEY_FILE": str(private_key),
                "STORY_HISTORY_URL": cfg.url("history-service"),
                "STORY_HINDI_LLM_URL": cfg.url("hindi-llm-service") + "/v1",
            }
        elif spec.name == "history-service":
            env["HISTORY_DATABASE_URL"] = f"sqlite:///{data / 'history.db'}"
        elif spec.name == "media-service":
            env |= {"MEDIA_LOCAL_DIR": str(data / "media"), "MEDIA_PUBLIC_BASE_URL": cfg.url("gateway")}
        elif spec.name == "hindi-llm-service" and cfg.model_path is not None:
            env["HINDI_LLM_MODEL_PATH"] = str(cfg.model_path)
        return env | cfg.extra_env.get(spec.name, {})

    def spawn(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it until it exits
        self.processes[name] = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_emulator(self) -> None:
        emulator_dir = self.config.state_dir / "firebase"
        emulator_dir.mkdir(parents=True, exist_ok=True)
        (emulator_dir / "firebase.json").write_text(
            json.dumps(
                {
                    "emulators": {
                        "auth": {"host": "127.0.0.1", "port": self.config.emulator_port},
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

    def start(self, *, timeout: float = 180.0) -> None:
        """Start everything and return once every service answers `/readyz` (or raise, stopping what started)."""
        private_key, public_key = ensure_dev_key_pair(self.config.state_dir / "keys")
        try:
            self.start_emulator()
            for spec in SERVICES:
                # HINDI_LLM_PYTHON: run hindi-llm-service from another venv (vLLM's: `make run HINDI_LLM_ENGINE=vllm`).
                python = os.environ.get("HINDI_LLM_PYTHON", sys.executable) if spec.name == "hindi-llm-service" else sys.executable
                command = [python, "-m", spec.module]
                self.spawn(spec.name, command, self.service_env(spec, public_key, private_key), self.config.root)
            self.wait_ready(timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = {s.name: f"{self.config.url(s.name)}/readyz" for s in SERVICES}
        pending["firebase-emulator"] = f"http://127.0.0.1:{self.config.emulator_port}/"
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
    parser = argparse.ArgumentParser(description="Run the whole StoryScape stack on this machine.")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--state-dir", type=Path, default=Path(".data"))
    args = parser.parse_args()
    config = StackConfig(root=args.root.resolve(), state_dir=args.state_dir.resolve())
    stack = DevStack(config)
    # Ctrl-C and SIGTERM both stop the stack, even when started from a shell that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    print("starting the Firebase Auth emulator and six services…", flush=True)
    stack.start()
    print(
        f"StoryScape is up in {time.monotonic() - started:.1f} s\n"
        f"  gateway       {config.url('gateway')}\n"
        f"  API docs      {config.url('gateway')}/docs\n"
        f"  auth emulator http://127.0.0.1:{config.emulator_port}  (project {FIREBASE_PROJECT})\n"
        f"  logs          {stack.log_dir}\n"
        "Ctrl-C stops everything.",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(0.5)
        crashed = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"stopping: {', '.join(crashed)} exited (see its log)", flush=True)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
