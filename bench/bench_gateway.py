"""What the gateway adds: latency of a small authenticated request and a story's time-to-first-token,
through the gateway versus straight to the service, at 1 and at 50 concurrent clients.

Starts the whole stack (auth emulator + six services) on free loopback ports, like `make run`, plus a second
gateway that verifies real RS256 ID tokens against a loopback cert server (the production path; the stack's own
gateway takes emulator tokens, which skip the signature check). At 1 client, direct and both gateway requests
are interleaved in random order in one run, so machine noise hits all three alike; the last line is
`{"gateway_added_p50_ms", "gateway_added_p99_ms", "direct_p50_ms", "clients": 1}` for the RS256 gateway.
Usage: .venv/bin/python bench/bench_gateway.py [--requests 400] [--stories 60] [--story-tokens 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
from storyscape_devtools.devstack import DevStack, StackConfig
from storyscape_devtools.testing import free_port

from gateway_tests.utils.accounts_server import AccountsServer
from gateway_tests.utils.cert_server import CertServer
from gateway_tests.utils.firebase_tokens import FirebaseTestIssuer
from storyscape_common.internal_auth import InternalTokenSigner
from storyscape_common.registry import SERVICES
from storyscape_common.sse import ServerSentEvent, iter_events
from storyscape_common.story_prompts import story_messages

REPO_ROOT = Path(__file__).resolve().parents[1]
RS256_PROJECT = "demo-bench-rs256"
STORY_BODY: dict[str, object] = {"prompt": "A brave little boat", "language": "en", "age_group": "3-5", "genres": ["adventure"]}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_concurrently(total: int, concurrency: int, one: Callable[[], Awaitable[float]]) -> list[float]:
    """Run `one` `total` times with at most `concurrency` in flight; return each call's seconds."""
    samples: list[float] = []
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            samples.append(await one())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples


def timed_get(client: httpx.AsyncClient, url: str, headers: Callable[[], dict[str, str]]) -> Callable[[], Awaitable[float]]:
    async def one() -> float:
        started = time.perf_counter()
        response = await client.get(url, headers=headers())
        response.raise_for_status()
        return time.perf_counter() - started

    return one


def has_text(event: ServerSentEvent) -> bool:
    """A story.delta (our stream) or a chunk with non-empty content (OpenAI stream; the role chunk has none)."""
    if event.event == "story.delta":
        return True
    if event.event != "message" or event.data == "[DONE]":
        return False
    return any(choice["delta"].get("content") for choice in event.json().get("choices", []))


def timed_first_token(
    client: httpx.AsyncClient, url: str, body: Mapping[str, object], headers: Callable[[], dict[str, str]]
) -> Callable[[], Awaitable[float]]:
    """Seconds until the first event carrying generated text arrives; the stream is then read to the end."""

    async def one() -> float:
        started, first, errors = time.perf_counter(), None, []
        async with client.stream("POST", url, json=body, headers=headers()) as response:
            response.raise_for_status()
            async for event in iter_events(response.aiter_lines()):
                if first is None and has_text(event):
                    first = time.perf_counter() - started
                if event.event == "error":
                    errors.append(event.data)
        if first is None:
            raise RuntimeError(f"no text arrived from {url}; error events: {errors}")
        return first

    return one


def summary(name: str, samples: list[float]) -> dict[str, float | str | int]:
    return {
        "case": name,
        "n": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 2),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 2),
    }


async def interleaved(cases: dict[str, Callable[[], Awaitable[float]]], rounds: int) -> dict[str, list[float]]:
    """One client: every round runs each case once, in a fresh random order."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for one in cases.values():
        await one()  # warm the connection pools and caches
    for _ in range(rounds):
        for name in random.sample(list(cases), len(cases)):
            samples[name].append(await cases[name]())
    return samples


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time a process has used so far (Linux /proc): unlike latency, little moved by a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def per_request(before: tuple[float, float], after: tuple[float, float], requests: int) -> tuple[float, float]:
    """Milliseconds of user and of system CPU per request between two readings."""
    return round((after[0] - before[0]) * 1000 / requests, 3), round((after[1] - before[1]) * 1000 / requests, 3)


def added(through: list[float], direct: list[float]) -> dict[str, float | int]:
    """What the gateway adds at the median and the 99th percentile, and the direct median, in ms."""
    return {
        "gateway_added_p50_ms": round((statistics.median(through) - statistics.median(direct)) * 1000, 3),
        "gateway_added_p99_ms": round((percentile(through, 0.99) - percentile(direct, 0.99)) * 1000, 3),
        "direct_p50_ms": round(statistics.median(direct) * 1000, 3),
        "clients": 1,
    }


async def measure(
    config: StackConfig, rs256_url: str, issuer: FirebaseTestIssuer, pids: dict[str, int], args: argparse.Namespace
) -> Results:
    keys = config.state_dir / "keys"
    # Each direct call is signed as the service that really makes it: the gateway calls prompt-service, and only
    # story-service may call hindi-llm-service.
    signers = {
        issuer: InternalTokenSigner(private_key_pem=(keys / f"{issuer}.pem").read_text(), issuer=issuer)
        for issuer in ("gateway", "story-service")
    }
    emulator = f"http://127.0.0.1:{config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=k"
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        signup = await client.post(
            emulator, json={"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": "bench-password", "returnSecureToken": True}
        )
        firebase = {"Authorization": f"Bearer {signup.json()['idToken']}"}
        rs256 = {"Authorization": f"Bearer {issuer.token(uid='bench-user')}"}

        def internal(audience: str) -> Callable[[], dict[str, str]]:
            signer = signers["story-service" if audience == "hindi-llm-service" else "gateway"]
            return lambda: {"Authorization": "Bearer " + signer.sign(user_id="bench", audience=audience, request_id="b")}

        small = {
            "catalog direct": timed_get(client, config.url("prompt-service") + "/v1/catalog", internal("prompt-service")),
            "catalog via gateway (emulator token)": timed_get(client, config.url("gateway") + "/v1/catalog", lambda: firebase),
            "catalog via gateway (RS256 token)": timed_get(client, rs256_url + "/v1/catalog", lambda: rs256),
        }
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        samples = await interleaved(small, args.requests)
        cpu_ms = {name: per_request(cpu_before[name], cpu_seconds(pid), args.requests) for name, pid in pids.items()}
        results = [summary(f"{name} @ 1 interleaved", values) | {"concurrency": 1} for name, values in samples.items()]
        for row in results:
            print(json.dumps(row), flush=True)
        print(json.dumps({"case": "CPU ms per request @ 1", **cpu_ms}), flush=True)
        results += [
            {"case": f"CPU per request (user+sys): {name}", "n": args.requests, "p50_ms": f"{user} + {system}", "p99_ms": "-"}
            for name, (user, system) in cpu_ms.items()
        ]
        figures = added(samples["catalog via gateway (RS256 token)"], samples["catalog direct"])
        print(json.dumps({"case": "gateway added @ 1 (RS256 path)", **figures}), flush=True)

        # The same messages story-service sends, so both paths ask the model for the same work.
        messages = story_messages(language="en", age_group="3-5", genres=["adventure"], prompt=str(STORY_BODY["prompt"]))
        llm_body = {
            "model": "smollm2-135m-instruct",
            "stream": True,
            "max_tokens": args.story_tokens,
            "messages": messages,
            "temperature": 0.8,
            "top_p": 0.95,
        }
        cases = [
            ("catalog via gateway (RS256 token)", small["catalog via gateway (RS256 token)"], args.requests, (50,)),
            ("catalog via gateway", small["catalog via gateway (emulator token)"], args.requests, (50,)),
            ("catalog direct", small["catalog direct"], args.requests, (50,)),
            (
                "story TTFT via gateway",
                timed_first_token(client, config.url("gateway") + "/v1/stories", STORY_BODY, lambda: firebase),
                args.stories,
                (1, 50),
            ),
            (
                "story TTFT direct from hindi-llm-service",
                timed_first_token(
                    client, config.url("hindi-llm-service") + "/v1/chat/completions", llm_body, internal("hindi-llm-service")
                ),
                args.stories,
                (1, 50),
            ),
        ]
        for concurrency in (1, 50):
            for name, one, total, levels in cases:
                if concurrency not in levels or total == 0:
                    continue
                await one()
                samples_at = await run_concurrently(total, concurrency, one)
                results.append(summary(f"{name} @ {concurrency}", samples_at) | {"concurrency": concurrency})
                print(json.dumps(results[-1]), flush=True)
        return Results(rows=results, figures=figures)


class Results:
    def __init__(self, rows: list[dict[str, float | str | int]], figures: dict[str, float | int]) -> None:
        self.rows = rows
        self.figures = figures


@contextmanager
def rs256_gateway(stack: DevStack, issuer: FirebaseTestIssuer) -> Iterator[tuple[str, int]]:
    """A second gateway over the same services, taking only RS256 tokens signed by `issuer`."""
    config = stack.config
    keys = config.state_dir / "keys"
    spec = next(spec for spec in SERVICES if spec.name == "gateway")
    port = free_port()
    env = {**os.environ, **stack.service_env(spec, keys)}
    env.pop("FIREBASE_AUTH_EMULATOR_HOST", None)
    env |= {"GATEWAY_PORT": str(port), "GATEWAY_FIREBASE_PROJECT_ID": RS256_PROJECT}
    with (
        CertServer({issuer.kid: issuer.cert_pem}) as certs,
        AccountsServer() as accounts,  # the user lookup behind the revocation check, once per cache miss
        open(config.state_dir / "logs" / "rs256-gateway.log", "ab") as log,
    ):
        script = str(Path(__file__).with_name("rs256_gateway.py"))
        command = [sys.executable, script, certs.url, accounts.url]
        process = subprocess.Popen(command, cwd=config.root, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(url, process)
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the RS256 gateway exited; see its log in the stack's logs")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="small requests per case")
    parser.add_argument("--stories", type=int, default=60, help="stories per case (0 skips the story cases)")
    parser.add_argument("--story-tokens", type=int, default=16, help="tokens per story (TTFT is what is measured)")
    args = parser.parse_args()
    issuer = FirebaseTestIssuer.create(project_id=RS256_PROJECT)
    with tempfile.TemporaryDirectory() as state:
        config = StackConfig(
            root=REPO_ROOT,
            state_dir=Path(state),
            ports={spec.name: free_port() for spec in SERVICES},
            emulator_port=free_port(),
            model_path=REPO_ROOT / ".models" / "smollm2-135m-instruct",
            # 50 clients (one user) must queue, not be turned away: room for all of them in the model's queue, and
            # per-user story limits out of the way (they are tested elsewhere; here they would answer 429).
            extra_env={
                "gateway": {
                    "GATEWAY_STORY_RATE_PER_MINUTE": "100000",
                    "GATEWAY_STORY_BURST": "1000",
                    "GATEWAY_MAX_CONCURRENT_STREAMS": "100",
                },
                "story-service": {"STORY_MAX_STORY_TOKENS": str(args.story_tokens), "STORY_LOCAL_ENGLISH_MODEL": "smollm2-135m-instruct"},
                "hindi-llm-service": {"HINDI_LLM_MAX_QUEUED": "128"},
            },
        )
        with DevStack(config) as stack, rs256_gateway(stack, issuer) as (rs256_url, rs256_pid):
            pids = {
                "prompt-service": stack.processes["prompt-service"].pid,
                "gateway (emulator token)": stack.processes["gateway"].pid,
                "gateway (RS256 token)": rs256_pid,
            }
            results = asyncio.run(measure(config, rs256_url, issuer, pids, args))
    print("\n| case | n | p50 ms | p99 ms |\n|---|---|---|---|")
    for row in results.rows:
        print(f"| {row['case']} | {row['n']} | {row['p50_ms']} | {row['p99_ms']} |")
    print(json.dumps(results.figures))


if __name__ == "__main__":
    main()
