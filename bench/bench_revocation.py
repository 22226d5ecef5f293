"""What the revocation check costs the gateway: the time of one full token check with and without the user lookup
(`check_revoked`), on the Firebase Auth emulator, and the token cache's hit rate for readers who keep using the app.

Usage: .venv/bin/python bench/bench_revocation.py [--users 20] [--rounds 10] [--cache-seconds 2] [--gap 0.1] [--run 10]

The hit rate depends only on how many requests a reader makes within one cache time (requests per second × cache
seconds): each reader's token is checked in full once per cache time. The bench scales time down (a 2 s cache,
a request every 0.1 s: 20 per cache time) and prints the figure with the formula it should match.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from gateway.firebase import FirebaseVerifier
from gateway.settings import EMULATOR_HOST_VARIABLE, Settings
from gateway_tests.utils.auth_emulator import AuthEmulator, auth_emulator


def verifier(emulator: AuthEmulator, *, check_revoked: bool, cache_seconds: float = 300.0) -> FirebaseVerifier:
    settings = Settings(
        _env_file=None,
        environment="development",
        firebase_project_id=emulator.project_id,
        firebase_check_revoked=check_revoked,
        firebase_token_cache_seconds=cache_seconds,
    )
    return FirebaseVerifier(settings=settings)


def full_check_ms(emulator: AuthEmulator, tokens: list[str], *, check_revoked: bool, rounds: int) -> list[float]:
    """Milliseconds of each full check (what a cache miss costs), every token `rounds` times."""
    checker = verifier(emulator, check_revoked=check_revoked)
    try:
        checker.verify_blocking(tokens[0])  # the SDK's first call sets up its HTTP session
        times = []
        for _ in range(rounds):
            for token in tokens:
                started = time.perf_counter()
                checker.verify_blocking(token)
                times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        checker.close()


async def hit_rate(emulator: AuthEmulator, tokens: list[str], *, cache_seconds: float, gap: float, run: float) -> dict[str, float]:
    """Every reader presents its token every `gap` seconds for `run` seconds: how many were answered from the cache."""
    checker = verifier(emulator, check_revoked=True, cache_seconds=cache_seconds)
    requests = 0

    async def reader(token: str) -> None:
        nonlocal requests
        deadline = time.monotonic() + run
        while time.monotonic() < deadline:
            await checker.verify(token)
            requests += 1
            await asyncio.sleep(gap)

    try:
        await asyncio.gather(*(reader(token) for token in tokens))
    finally:
        checker.close()
    hits = checker.metrics.checks.labels("cache_hit")._value.get()
    per_cache_time = cache_seconds / gap
    return {
        "requests": requests,
        "cache_hits": hits,
        "full_checks": requests - hits,
        "hit_rate": round(hits / requests, 4),
        "requests_per_reader_per_cache_time": per_cache_time,
        "expected_hit_rate": round(1 - 1 / per_cache_time, 4),
    }


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(ordered[int(len(ordered) * 0.9)], 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cache-seconds", type=float, default=2.0)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between one reader's requests")
    parser.add_argument("--run", type=float, default=10.0, help="seconds the readers keep going")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state, auth_emulator(Path(state)) as emulator:
        os.environ[EMULATOR_HOST_VARIABLE] = emulator.host
        tokens = [emulator.sign_up().id_token for _ in range(args.users)]
        figures = {
            "full check without the lookup (emulator tokens are unsigned: claims only)": summary(
                full_check_ms(emulator, tokens, check_revoked=False, rounds=args.rounds)
            ),
            "full check with the user lookup (check_revoked)": summary(
                full_check_ms(emulator, tokens, check_revoked=True, rounds=args.rounds)
            ),
            "cache": asyncio.run(hit_rate(emulator, tokens, cache_seconds=args.cache_seconds, gap=args.gap, run=args.run)),
        }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
