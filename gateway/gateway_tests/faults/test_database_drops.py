"""PostgreSQL connections terminated under load (`pg_terminate_backend`): requests fail cleanly (503 in the error
shape) or succeed, never a 500 with a stack trace, and the pool recovers without restarting anything."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from storyscape_devtools.testing import POSTGRES_ADMIN_DSN, postgres_database

from gateway_tests.faults.stack import GATEWAY, HISTORY_SERVICE, FaultStack, user_headers

LOAD_SECONDS = 4.0


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[FaultStack, str]]:
    with postgres_database("storyscape_faults") as url:
        stack = FaultStack(tmp_path, extra_env={HISTORY_SERVICE: {"HISTORY_DATABASE_URL": url}})
        try:
            stack.start(HISTORY_SERVICE)
            stack.start(GATEWAY)
            yield stack, url.rsplit("/", 1)[1]
        finally:
            stack.stop()


async def terminate_backends(database: str, until: float) -> int:
    """Kill every connection to `database` every 100 ms; how many were killed."""
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    killed = 0
    try:
        while time.monotonic() < until:
            rows = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", database
            )
            killed += len(rows)
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    return killed


async def reader(client: httpx.AsyncClient, until: float, seen: Counter[int], bodies: list[str]) -> None:
    headers = user_headers(uuid.uuid4().hex)
    while time.monotonic() < until:
        response = await client.get("/v1/stories", headers=headers)
        seen[response.status_code] += 1
        if response.status_code != 200:
            bodies.append(response.text)


async def test_dropped_database_connections_fail_cleanly_and_the_pool_recovers(stack: tuple[FaultStack, str]) -> None:
    faults, database = stack
    seen: Counter[int] = Counter()
    bodies: list[str] = []
    async with httpx.AsyncClient(base_url=faults.url(GATEWAY), timeout=30) as client:
        until = time.monotonic() + LOAD_SECONDS
        readers = asyncio.gather(*(reader(client, until, seen, bodies) for _ in range(8)))
        killed, _ = await asyncio.gather(terminate_backends(database, until), readers)
        after = Counter([(await client.get("/v1/stories", headers=user_headers())).status_code for _ in range(20)])

    assert killed > 0 and seen[200] > 0, (killed, seen)
    assert set(seen) <= {200, 503}, (seen, bodies[:3])
    for body in bodies:
        assert "Traceback" not in body and '"code":"upstream_unavailable"' in body.replace(" ", ""), body
    assert after == Counter({200: 20})
    print(f"killed {killed} connections; answers {dict(seen)}")
