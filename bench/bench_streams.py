"""N concurrent story streams through gateway → story-service: errors, time to first token, gateway memory.

The model is replaced by a measuring instrument: a loopback server speaking OpenAI's streaming protocol at a fixed
20 tokens/s per stream (`storyscape_devtools.paced_openai`), so what is measured is our relay, not a model.
Each stream is a different signed-in user (Auth emulator tokens), so per-user limits do not apply.
Starts gateway, story-service, history-service, prompt-service and the instrument as processes on free loopback ports.

Usage: .venv/bin/python bench/bench_streams.py [--streams 500] [--tokens 60] [--ramp-seconds 1]
Last line: {"streams", "errors", "ttft_p99_ms", "gateway_rss_mb_per_100_streams"}.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.testing import free_port

from storyscape_common.internal_auth import ensure_dev_keys
from storyscape_common.registry import GATEWAY, HINDI_LLM_SERVICE, HISTORY_SERVICE, PROMPT_SERVICE, SERVICES, STORY_SERVICE, service

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT = "demo-storyscape"
STORY = {"prompt": "A brave little boat", "language": "hi", "age_group": "3-5", "genres": ["adventure"], "ai_images": False}


def emulator_token() -> str:
    """An unsigned ID token as the Auth emulator issues it, for a new user (the gateway runs with the emulator)."""
    now = int(time.time())
    claims: dict[str, object] = {"iss": f"https://securetoken.google.com/{PROJECT}", "aud": PROJECT, "sub": uuid.uuid4().hex}
    claims |= {"iat": now, "exp": now + 3600, "auth_time": now}

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header: dict[str, object] = {"alg": "none", "typ": "JWT"}
    return f"{part(header)}.{part(claims)}."


def start_stack(state: Path, tokens: int) -> tuple[DevStack, StackConfig]:
    config = StackConfig(root=REPO_ROOT, state_dir=state, ports={s.name: free_port() for s in SERVICES}, emulator_port=free_port())
    stack = DevStack(config)
    keys = state / "keys"
    ensure_dev_keys(keys, tuple(spec.issuer for spec in SERVICES if spec.may_address))
    instrument = [sys.executable, "-m", "storyscape_devtools.paced_openai", "--port", str(config.ports[HINDI_LLM_SERVICE])]
    stack.spawn(HINDI_LLM_SERVICE, [*instrument, "--tokens-per-second", "20", "--tokens", str(tokens)], {}, REPO_ROOT)
    for name in (HISTORY_SERVICE, PROMPT_SERVICE, STORY_SERVICE, GATEWAY):
        spec = service(name)
        stack.spawn(name, [sys.executable, "-m", spec.module], stack.service_env(spec, keys), REPO_ROOT)
    with httpx.Client(timeout=2) as client:
        for name in (HINDI_LLM_SERVICE, HISTORY_SERVICE, PROMPT_SERVICE, STORY_SERVICE, GATEWAY):
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get(config.url(name) + "/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.2)
    return stack, config


async def one_stream(client: httpx.AsyncClient, delay: float) -> tuple[float | None, str]:
    """Seconds to the first `story.delta`, and how the stream ended (`completed` or what went wrong)."""
    await asyncio.sleep(delay)
    headers = {"Authorization": f"Bearer {emulator_token()}", "Accept": "text/event-stream"}
    started, first, seen = time.perf_counter(), None, b""
    try:
        async with client.stream("POST", "/v1/stories", json=STORY, headers=headers) as response:
            if response.status_code != 200:
                return None, f"HTTP {response.status_code}"
            async for chunk in response.aiter_raw():
                seen = (seen + chunk)[-4096:]  # only the tail matters: the last event says how it ended
                if first is None and b"event: story.delta" in seen:
                    first = time.perf_counter() - started
    except httpx.HTTPError as exc:
        return first, type(exc).__name__
    if b"event: story.completed" in seen:
        return first, "completed"
    if b"event: error" in seen:
        code = re.search(rb'"code": ?"([a-z_]+)"', seen.split(b"event: error", 1)[1])
        return first, f"error event {code.group(1).decode() if code else '?'}"
    return first, "cut off"


async def sample_rss(process: psutil.Process, stop: asyncio.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], process.memory_info().rss / 2**20)
        await asyncio.sleep(0.1)


def cpu_seconds(processes: dict[str, psutil.Process]) -> dict[str, float]:
    return {name: sum(process.cpu_times()[:2]) for name, process in processes.items()}


async def measure(config: StackConfig, pids: dict[str, int], args: argparse.Namespace) -> dict[str, object]:
    processes = {name: psutil.Process(pid) for name, pid in pids.items()}
    processes["bench client"] = psutil.Process()
    gateway = processes[GATEWAY]
    limits = httpx.Limits(max_connections=args.streams + 10, max_keepalive_connections=args.streams + 10)
    async with httpx.AsyncClient(base_url=config.url(GATEWAY), timeout=120, limits=limits) as client:
        await one_stream(client, 0)  # warm up: imports, pools, the outbox's first delivery
        baseline = gateway.memory_info().rss / 2**20
        peak, stop = [baseline], asyncio.Event()
        sampler = asyncio.create_task(sample_rss(gateway, stop, peak))
        cpu_before = cpu_seconds(processes)
        started = time.perf_counter()
        delays = [args.ramp_seconds * i / args.streams for i in range(args.streams)]
        results = await asyncio.gather(*(one_stream(client, d) for d in delays))
        wall = time.perf_counter() - started
        stop.set()
        await sampler
        cpu = {name: round(seconds - cpu_before[name], 1) for name, seconds in cpu_seconds(processes).items()}
    ttfts = sorted(t for t, _ in results if t is not None)
    outcomes: dict[str, int] = {}
    for _, outcome in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {
        "streams": args.streams,
        "errors": args.streams - outcomes.get("completed", 0),
        "outcomes": outcomes,
        "ttft_p50_ms": round(statistics.median(ttfts) * 1000, 1) if ttfts else None,
        "ttft_p99_ms": round(ttfts[min(len(ttfts) - 1, int(0.99 * (len(ttfts) - 1) + 0.5))] * 1000, 1) if ttfts else None,
        "gateway_rss_baseline_mb": round(baseline, 1),
        "gateway_rss_peak_mb": round(peak[0], 1),
        "gateway_rss_mb_per_100_streams": round((peak[0] - baseline) / args.streams * 100, 2),
        "wall_s": round(wall, 1),
        # Where the time goes: on a machine with fewer cores than processes, these add up to the wall time.
        "cpu_s_by_process": cpu,
        "cpu_cores": psutil.cpu_count(),
        "load_average_1m": round(psutil.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=500, help="concurrent story streams")
    parser.add_argument("--tokens", type=int, default=60, help="tokens per story at 20 tokens/s (60: 3 s, so all overlap)")
    parser.add_argument("--ramp-seconds", type=float, default=1.0, help="streams start evenly over this time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        stack, config = start_stack(Path(state), args.tokens)
        try:
            pids = {name: process.pid for name, process in stack.processes.items()}
            result = asyncio.run(measure(config, pids, args))
        finally:
            stack.stop()
    print(f"\nstreams through gateway → story-service, model replaced by a 20 tokens/s instrument; ramp {args.ramp_seconds} s")
    print("| figure | value |\n|---|---|")
    for name, value in result.items():
        print(f"| {name} | {value} |")
    keys = ("streams", "errors", "ttft_p99_ms", "gateway_rss_mb_per_100_streams")
    print(json.dumps({key: result[key] for key in keys}))


if __name__ == "__main__":
    main()
