"""What the gateway adds: latency of a small authenticated request and a story's time-to-first-token,
through the gateway versus straight to the service, at 1 and at 50 concurrent clients.

Starts the whole stack (auth emulator + six services) on free loopback ports, like `make run`.
Usage: .venv/bin/python bench/bench_gateway.py [--requests 400] [--stories 60] [--story-tokens 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from storyscape_devtools.devstack import SERVICES, DevStack, StackConfig
from storyscape_devtools.testing import free_port

from storyscape_common.internal_auth import InternalTokenSigner
from storyscape_common.sse import ServerSentEvent, iter_events
from storyscape_common.story_prompts import story_messages

REPO_ROOT = Path(__file__).resolve().parents[1]
STORY_BODY = {"prompt": "A brave little boat", "language": "en", "age_group": "3-5", "genres": ["adventure"]}


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
    client: httpx.AsyncClient, url: str, body: dict[str, object], headers: Callable[[], dict[str, str]]
) -> Callable[[], Awaitable[float]]:
    """Seconds until the first event carrying generated text arrives; the stream is then read to the end."""

    async def one() -> float:
        started, first = time.perf_counter(), None
        async with client.stream("POST", url, json=body, headers=headers()) as response:
            response.raise_for_status()
            async for event in iter_events(response.aiter_lines()):
                if first is None and has_text(event):
                    first = time.perf_counter() - started
        if first is None:
            raise RuntimeError("no text arrived")
        return first

    return one


def summary(name: str, samples: list[float]) -> dict[str, float | str | int]:
    return {
        "case": name,
        "n": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 2),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 2),
    }


async def measure(config: StackConfig, args: argparse.Namespace) -> list[dict[str, float | str | int]]:
    signer = InternalTokenSigner(private_key_pem=(config.state_dir / "keys" / "internal_ed25519.pem").read_text(), issuer="gateway")
    emulator = f"http://127.0.0.1:{config.emulator_port}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=k"
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        signup = await client.post(
            emulator, json={"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": "bench-password", "returnSecureToken": True}
        )
        firebase = {"Authorization": f"Bearer {signup.json()['idToken']}"}

        def internal(audience: str) -> Callable[[], dict[str, str]]:
            return lambda: {"Authorization": "Bearer " + signer.sign(user_id="bench", audience=audience, request_id="b")}

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
            ("catalog via gateway", timed_get(client, config.url("gateway") + "/v1/catalog", lambda: firebase), args.requests),
            ("catalog direct", timed_get(client, config.url("prompt-service") + "/v1/catalog", internal("prompt-service")), args.requests),
            (
                "story TTFT via gateway",
                timed_first_token(client, config.url("gateway") + "/v1/stories", STORY_BODY, lambda: firebase),
                args.stories,
            ),
            (
                "story TTFT direct from hindi-llm-service",
                timed_first_token(
                    client, config.url("hindi-llm-service") + "/v1/chat/completions", llm_body, internal("hindi-llm-service")
                ),
                args.stories,
            ),
        ]
        results = []
        for concurrency in (1, 50):
            for name, one, total in cases:
                await one()  # warm the connection pools and caches
                samples = await run_concurrently(total, concurrency, one)
                results.append(summary(f"{name} @ {concurrency}", samples) | {"concurrency": concurrency})
                print(json.dumps(results[-1]), flush=True)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="small requests per case")
    parser.add_argument("--stories", type=int, default=60, help="stories per case")
    parser.add_argument("--story-tokens", type=int, default=16, help="tokens per story (TTFT is what is measured)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        config = StackConfig(
            root=REPO_ROOT,
            state_dir=Path(state),
            ports={spec.name: free_port() for spec in SERVICES},
            emulator_port=free_port(),
            model_path=REPO_ROOT / ".models" / "smollm2-135m-instruct",
            # 50 clients must queue, not be turned away: room for all of them in the model's queue.
            extra_env={
                "story-service": {"STORY_MAX_STORY_TOKENS": str(args.story_tokens), "STORY_LOCAL_ENGLISH_MODEL": "smollm2-135m-instruct"},
                "hindi-llm-service": {"HINDI_LLM_MAX_QUEUED": "128"},
            },
        )
        with DevStack(config):
            results = asyncio.run(measure(config, args))
    print("\n| case | n | p50 ms | p99 ms |\n|---|---|---|---|")
    for row in results:
        print(f"| {row['case']} | {row['n']} | {row['p50_ms']} | {row['p99_ms']} |")


if __name__ == "__main__":
    main()
