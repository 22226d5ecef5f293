"""hindi-llm-service's engines under load: single-stream tokens/s and time to first token, then 8 concurrent
streams' aggregate tokens/s and TTFT p50/p99, with the same prompt, adapter and max_tokens for every engine.

Starts the real service (`python -m hindi_llm_service`) on a free loopback port once per engine: transformers
from this venv, vllm from `.tools/vllm-venv` (`make vllm-venv`) when it exists. Prints a table, then one JSON line.
Targets: 8-stream aggregate >= 3x single-stream tokens/s; TTFT p99 at 8 <= 2x single TTFT + one decode step.
Usage: .venv/bin/python bench/bench_engine.py [--max-tokens 64] [--rounds 2] [--engines transformers,vllm] [--distinct]
       [--concurrency 8] [--vllm-python PATH] [--model-path DIR --model-name NAME --adapters '{"name": "DIR"}']
(deploy/gpu/check.sh runs it on a GPU machine with --concurrency 32.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from storyscape_common.internal_auth import InternalTokenSigner, generate_key_pair

REPO_ROOT = Path(__file__).resolve().parents[1]
VLLM_PYTHON = REPO_ROOT / ".tools" / "vllm-venv" / "bin" / "python"
MESSAGES = [
    {"role": "system", "content": "आप बच्चों के लिए कहानियाँ लिखते हैं।"},
    {"role": "user", "content": "एक बहादुर छोटी नाव की कहानी सुनाओ।"},
]
SERVICE = "hindi-llm-service"


@dataclass(frozen=True)
class Keys:
    """A throwaway internal key pair: the service verifies with the public half, the bench signs with the other."""

    private_pem: str
    public_pem: str

    def headers(self) -> dict[str, str]:
        # story-service is who calls the model server, with its own key.
        token = InternalTokenSigner(private_key_pem=self.private_pem, issuer="story-service").sign(
            user_id="bench", audience=SERVICE, request_id="bench"
        )
        return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Target:
    engine: str
    python: str
    concurrency: int
    model_env: dict[str, str]


@dataclass
class Stream:
    ttft: float
    seconds: float
    tokens: int
    gaps: list[float]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@contextmanager
def service(target: Target, keys: Keys, log: Path) -> Iterator[str]:
    port = free_port()
    env = (
        os.environ
        | target.model_env
        | {
            "HINDI_LLM_ENGINE": target.engine,
            "HINDI_LLM_PORT": str(port),
            "HINDI_LLM_ENVIRONMENT": "test",
            "HINDI_LLM_INTERNAL_PUBLIC_KEYS": json.dumps({"story-service": keys.public_pem}),
            "HINDI_LLM_MAX_CONCURRENT": str(target.concurrency),
            "HINDI_LLM_VLLM_DTYPE": os.environ.get("HINDI_LLM_VLLM_DTYPE", "float32"),
            "HINDI_LLM_VLLM_MAX_MODEL_LEN": "2048",
            "VLLM_CPU_KVCACHE_SPACE": os.environ.get("VLLM_CPU_KVCACHE_SPACE", "1"),
        }
    )
    with log.open("wb") as out:
        process = subprocess.Popen([target.python, "-m", "hindi_llm_service"], env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(60)


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"not ready in {timeout} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def one_stream(client: httpx.AsyncClient, body: dict[str, object], keys: Keys, distinct: bool = False) -> Stream:
    headers = keys.headers()  # tokens live 2 minutes: one per request
    if distinct:  # a prompt no engine has seen: no prefix or prefill cache can help
        body = body | {"messages": [*MESSAGES[:-1], {"role": "user", "content": f"{MESSAGES[-1]['content']} ({uuid.uuid4().hex[:8]})"}]}
    started = time.perf_counter()
    arrivals: list[float] = []
    tokens = 0
    async with client.stream("POST", "/v1/chat/completions", json=body, headers=headers) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data: {"):
                continue
            chunk = json.loads(line[6:])
            if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                arrivals.append(time.perf_counter())
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    return Stream(arrivals[0] - started, time.perf_counter() - started, tokens, gaps)


async def measure(url: str, keys: Keys, *, model: str, max_tokens: int, rounds: int, concurrency: int, distinct: bool) -> dict[str, float]:
    body = {"model": model, "messages": MESSAGES, "max_tokens": max_tokens, "temperature": 0, "stream": True}
    body["stream_options"] = {"include_usage": True}
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        await one_stream(client, body, keys)  # warm-up
        singles = [await one_stream(client, body, keys, distinct) for _ in range(rounds * 2)]
        batches: list[tuple[float, list[Stream]]] = []
        for _ in range(rounds):
            started = time.perf_counter()
            streams = await asyncio.gather(*(one_stream(client, body, keys, distinct) for _ in range(concurrency)))
            batches.append((time.perf_counter() - started, list(streams)))
    together, n = [s for _, streams in batches for s in streams], concurrency
    return {
        "single_tps": sum(s.tokens for s in singles) / sum(s.seconds for s in singles),
        "single_ttft_ms": statistics.median(s.ttft for s in singles) * 1000,
        f"batch{n}_tps": sum(s.tokens for s in together) / sum(seconds for seconds, _ in batches),
        f"ttft_p50_ms_at_{n}": percentile([s.ttft for s in together], 0.5) * 1000,
        f"ttft_p99_ms_at_{n}": percentile([s.ttft for s in together], 0.99) * 1000,
        f"step_ms_at_{n}": statistics.median(g for s in together for g in s.gaps) * 1000,
        "completion_tokens_per_stream": statistics.mean(s.tokens for s in together),
    }


def verdict(figures: dict[str, float], n: int) -> dict[str, bool]:
    """The issue's targets: aggregate >= 3x single; TTFT p99 at n <= 2x single TTFT + one decode step at n."""
    return {
        f"batch{n}_ge_3x_single": figures[f"batch{n}_tps"] >= 3 * figures["single_tps"],
        "ttft_p99_ok": figures[f"ttft_p99_ms_at_{n}"] <= 2 * figures["single_ttft_ms"] + figures[f"step_ms_at_{n}"],
    }


def targets(args: argparse.Namespace) -> list[Target]:
    model_env = {}
    if args.model_path:
        model_env = {"HINDI_LLM_MODEL_PATH": args.model_path, "HINDI_LLM_MODEL_NAME": args.model_name, "HINDI_LLM_ADAPTERS": args.adapters}
    pythons = {"transformers": sys.executable, "vllm": args.vllm_python}
    wanted = [e for e in args.engines.split(",") if e != "vllm" or Path(args.vllm_python).exists()]
    return [Target(engine, pythons[engine], args.concurrency, model_env) for engine in wanted]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--model", default="storyscape-hi", help="the base model or an adapter (default: our adapter)")
    parser.add_argument("--engines", default="transformers,vllm")
    parser.add_argument("--distinct", action="store_true", help="a different prompt per request (no prompt reuse)")
    parser.add_argument("--vllm-python", default=str(VLLM_PYTHON))
    parser.add_argument("--model-path", default="", help="another base model folder (default: the service's)")
    parser.add_argument("--model-name", default="base")
    parser.add_argument("--adapters", default="{}", help="JSON: adapter name -> folder, for --model-path")
    args = parser.parse_args()
    keys, results = Keys(*generate_key_pair()), {}
    with tempfile.TemporaryDirectory() as logs:
        for target in targets(args):
            with service(target, keys, Path(logs) / f"{target.engine}.log") as url:
                run = measure(
                    url,
                    keys,
                    model=args.model,
                    max_tokens=args.max_tokens,
                    rounds=args.rounds,
                    concurrency=args.concurrency,
                    distinct=args.distinct,
                )
                figures = asyncio.run(run)
            results[target.engine] = {k: round(v, 2) for k, v in figures.items()} | verdict(figures, args.concurrency)
    print_table(results, args.concurrency)
    print(json.dumps(results))


def print_table(results: dict[str, dict[str, float | bool]], n: int) -> None:
    columns = ["single_tps", "single_ttft_ms", f"batch{n}_tps", f"ttft_p50_ms_at_{n}", f"ttft_p99_ms_at_{n}", f"step_ms_at_{n}"]
    print(f"{'engine':<14}" + "".join(f"{c:>18}" for c in columns))
    for engine, row in results.items():
        print(f"{engine:<14}" + "".join(f"{row[c]!s:>18}" for c in columns))


if __name__ == "__main__":
    main()
