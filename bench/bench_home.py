"""The home screen: suggestions on a cache hit, the first-request stampede, and `/v1/home` against its slowest part.

Starts the whole dev stack (emulator and every service as separate processes, prompt-service on Redis), signs up a
reader on the emulator, then measures:
- `GET /v1/prompts/suggestions` on prompt-service, repeat reads of the day's set (cache hit), `--samples` times;
- 200 concurrent first requests for one new reader's key, generations counted from prompt-service's /metrics;
- `GET /v1/home` through the gateway, and each of its parts called directly on its service (prompt-service
  settings and suggestions, history-service `/internal/home`), `--samples` times each.
Prints a table, then one JSON line.

Usage: .venv/bin/python bench/bench_home.py [--samples 300] [--stampede 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.testing import free_port

from storyscape_common.internal_auth import InternalTokenSigner
from storyscape_common.registry import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATIONS = re.compile(r'^storyscape_suggestion_generations_total\{source="(\w+)"\} ([0-9.]+)$', re.M)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def timed(samples: int, call: Callable[[], Awaitable[httpx.Response]]) -> list[float]:
    """Sequential calls (one reader's app), milliseconds each; every answer must be a 200."""
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        response = await call()
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return durations


def sign_up(config: StackConfig) -> tuple[str, str]:
    """A new emulator user: (uid, ID token)."""
    url = f"http://127.0.0.1:{config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key"
    body = httpx.post(
        url, json={"email": f"bench-{time.time_ns()}@example.com", "password": "a-long-password", "returnSecureToken": True}
    ).json()
    return str(body["localId"]), str(body["idToken"])


async def generations(http: httpx.AsyncClient, prompt_url: str) -> float:
    text = (await http.get(prompt_url + "/metrics")).text
    return sum(float(value) for _, value in GENERATIONS.findall(text))


class Caller:
    """Internal calls as the gateway makes them: a fresh token from the gateway's key, addressed to the service."""

    def __init__(self, config: StackConfig, http: httpx.AsyncClient) -> None:
        pem = (config.state_dir / "keys" / "gateway.pem").read_text()
        self.signer, self.config, self.http = InternalTokenSigner(private_key_pem=pem, issuer="gateway"), config, http

    def get(self, service: str, path: str, uid: str) -> Awaitable[httpx.Response]:
        token = self.signer.sign(user_id=uid, audience=service, request_id="bench")
        return self.http.get(self.config.url(service) + path, headers={"Authorization": f"Bearer {token}"})


async def measure(config: StackConfig, samples: int, stampede: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=stampede + 10)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        caller = Caller(config, http)
        uid, id_token = sign_up(config)
        await caller.get("prompt-service", "/v1/prompts/suggestions", uid)  # the day's set exists: what follows is a hit
        hit = await timed(samples, lambda: caller.get("prompt-service", "/v1/prompts/suggestions", uid))

        gateway = config.url("gateway") + "/v1/home"
        home = await timed(samples, lambda: http.get(gateway, headers={"Authorization": f"Bearer {id_token}"}))
        parts = {
            "prompt-service /v1/me/settings": await timed(samples, lambda: caller.get("prompt-service", "/v1/me/settings", uid)),
            "prompt-service /v1/prompts/suggestions": hit,
            "history-service /internal/home": await timed(samples, lambda: caller.get("history-service", "/internal/home", uid)),
        }

        # Last: the stampede's one generation runs the local model, which would load the CPU under the timings above.
        fresh_uid, _ = sign_up(config)
        before = await generations(http, config.url("prompt-service"))
        answers = await asyncio.gather(*(caller.get("prompt-service", "/v1/prompts/suggestions", fresh_uid) for _ in range(stampede)))
        assert {a.status_code for a in answers} == {200} and len({a.text for a in answers}) == 1
        stampede_generations = await generations(http, config.url("prompt-service")) - before
    slowest = max(parts, key=lambda name: percentile(parts[name], 99))
    return {"hit": hit, "stampede_generations": stampede_generations, "home": home, "parts": parts, "slowest": slowest}


def report(result: dict[str, Any], stampede: int) -> None:
    rows = [("suggestions (cache hit)", result["hit"]), ("GET /v1/home (gateway)", result["home"])]
    rows += [(f"part: {name}", values) for name, values in result["parts"].items()]
    print(f"{'measure':48} {'p50 ms':>8} {'p99 ms':>8}")
    for name, values in rows:
        print(f"{name:48} {statistics.median(values):8.2f} {percentile(values, 99):8.2f}")
    print(f"stampede: {stampede} concurrent first requests → {result['stampede_generations']:.0f} generation(s)")
    print(f"slowest part (p99): {result['slowest']}")
    figures = {
        "suggestions_hit_p99_ms": round(percentile(result["hit"], 99), 2),
        "stampede_requests": stampede,
        "stampede_generations": int(result["stampede_generations"]),
        "home_p99_ms": round(percentile(result["home"], 99), 2),
        "slowest_part_p99_ms": round(percentile(result["parts"][result["slowest"]], 99), 2),
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--stampede", type=int, default=200)
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".data" / "bench-home")
    args = parser.parse_args()
    config = StackConfig(
        root=REPO_ROOT,
        state_dir=args.state_dir / str(time.time_ns()),
        ports={spec.name: free_port() for spec in SERVICES},
        emulator_port=free_port(),
        model_path=REPO_ROOT / ".models" / "smollm2-135m-instruct",
        extra_env={"prompt-service": {"PROMPT_REDIS_URL": "redis://127.0.0.1:6379/0"}},
    )
    with DevStack(config):
        result = asyncio.run(measure(config, args.samples, args.stampede))
    report(result, args.stampede)


if __name__ == "__main__":
    main()
