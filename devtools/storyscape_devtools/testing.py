"""Helpers for tests across services: throwaway PostgreSQL databases, key pairs, tokens, live servers."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import MetaData, Text, cast, func, or_, select

from storyscape_common.db import create_engine
from storyscape_common.internal_auth import InternalTokenSigner, InternalTokenVerifier, generate_key_pair, trusted_issuers
from storyscape_common.registry import SERVICES, allowed_audiences

POSTGRES_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


SIGNING_ISSUERS: tuple[str, ...] = tuple(info.issuer for info in SERVICES if info.may_address)


@dataclass(frozen=True)
class TestKeys:
    """One Ed25519 pair per issuing service, as a deployment has them."""

    __test__ = False  # not a test class, despite the name (pytest would warn when a test module imports it)

    pairs: dict[str, tuple[str, str]]

    @property
    def public_keys(self) -> dict[str, str]:
        """issuer → public PEM: the value of a verifying service's `internal_public_keys` setting."""
        return {issuer: public for issuer, (_, public) in self.pairs.items()}

    def private_pem(self, issuer: str = "gateway") -> str:
        return self.pairs[issuer][0]

    def signer(self, issuer: str = "gateway") -> InternalTokenSigner:
        return InternalTokenSigner(private_key_pem=self.private_pem(issuer), issuer=issuer)

    def verifier(self, audience: str) -> InternalTokenVerifier:
        return InternalTokenVerifier(trusted=trusted_issuers(self.public_keys), audience=audience)

    def bearer(self, *, user_id: str, audience: str, request_id: str = "test", issuer: str | None = None) -> dict[str, str]:
        """A header as a legitimate caller of `audience` sends it (the gateway where it may call it)."""
        token = self.signer(issuer or caller_of(audience)).sign(user_id=user_id, audience=audience, request_id=request_id)
        return {"Authorization": f"Bearer {token}"}


def caller_of(audience: str) -> str:
    """An issuer allowed to call `audience`: the gateway if it may, else the first service that may."""
    callers = [issuer for issuer in SIGNING_ISSUERS if audience in allowed_audiences(issuer)]
    return "gateway" if "gateway" in callers or not callers else callers[0]


def new_test_keys() -> TestKeys:
    return TestKeys({issuer: generate_key_pair() for issuer in SIGNING_ISSUERS})


@contextmanager
def postgres_database(prefix: str = "storyscape_test") -> Iterator[str]:
    """Create a uniquely named database on the local PostgreSQL, yield its URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def rows_holding(database_url: str, needles: list[str]) -> dict[str, int]:
    """How many rows of each table hold any of `needles` in any column (e.g. a deleted user's id and story ids),
    read straight from the database, whatever its tables are; tables with none are left out."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            metadata = MetaData()
            await connection.run_sync(metadata.reflect)
            found: dict[str, int] = {}
            for table in metadata.sorted_tables:
                matches = [cast(column, Text).contains(needle, autoescape=True) for column in table.columns for needle in needles]
                if not matches:
                    continue
                count = int(await connection.scalar(select(func.count()).select_from(table).where(or_(*matches))) or 0)
                if count:
                    found[table.name] = count
            return found
    finally:
        await engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Runs an ASGI app under uvicorn on a loopback port in a background thread (real sockets, real streaming)."""

    def __init__(self, app: FastAPI, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the app's `/readyz` answers 200 (e.g. a model finished loading)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.url} was not ready after {timeout:.0f} s")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
