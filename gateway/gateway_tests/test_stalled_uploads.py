"""Fifty photo uploads that stall halfway cost the gateway connections, not their bytes: its memory stays bounded,
other users are served meanwhile, and at the body deadline each stalled upload gets 408 and its connection is closed.

The gateway runs as its own process (the server `python -m gateway` runs), so its resident memory is measured alone;
each upload is a raw socket sending a chunked `multipart/form-data` body that never ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from storyscape_devtools.testing import TestKeys, free_port

from gateway_tests.conftest import PROJECT_ID, URL_SETTING, Upstream
from gateway_tests.utils.accounts_server import AccountsServer
from gateway_tests.utils.cert_server import CertServer
from gateway_tests.utils.firebase_tokens import FirebaseTestIssuer
from gateway_tests.utils.gateway_process import CERT_URL_VARIABLE, TOOLKIT_URL_VARIABLE, GatewayProcess

MIB = 1024 * 1024
UPLOADS = 50
SENT_BEFORE_STALLING = 4 * MIB  # of each photo; the limit is 10 MiB
DEADLINE_SECONDS = 12.0
PIECE = 64 * 1024
# Held by the gateway per stalled upload: its server's read buffer and the relay's, not the photo (0.3-0.6 MiB
# measured); holding a quarter of what each one sent would fail this.
BOUND_PER_UPLOAD = MIB


@pytest.fixture(scope="module")
def gateway(
    keys: TestKeys,
    cert_server: CertServer,
    accounts: AccountsServer,
    upstreams: dict[str, Upstream],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GatewayProcess]:
    port = free_port()
    env = {
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_PORT": str(port),
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_FIREBASE_PROJECT_ID": PROJECT_ID,
        "GATEWAY_INTERNAL_SIGNING_KEY": keys.private_pem("gateway"),
        "GATEWAY_MULTIPART_BODY_TIMEOUT_SECONDS": str(DEADLINE_SECONDS),
        **{f"GATEWAY_{URL_SETTING[name].upper()}": upstream.server.url for name, upstream in upstreams.items()},
        CERT_URL_VARIABLE: cert_server.url,
        TOOLKIT_URL_VARIABLE: accounts.url,
    }
    with GatewayProcess(env, port=port, log=tmp_path_factory.mktemp("gateway") / "gateway.log") as process:
        yield process


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class StalledUpload:
    """A photo story sent as a browser sends it, chunked, that stops after `SENT_BEFORE_STALLING` bytes."""

    def __init__(self, gateway: GatewayProcess, token: str, probe_id: str) -> None:
        self.gateway = gateway
        self.head = (
            f"POST /v1/stories?probe={probe_id}&discard=true HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: multipart/form-data; boundary=photo\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
        self.answer = b""
        self.closed = False

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.gateway.port)
        try:
            with contextlib.suppress(ConnectionError):
                writer.write(self.head + chunk(b'--photo\r\nContent-Disposition: form-data; name="image"; filename="p.jpg"\r\n\r\n'))
                for _ in range(SENT_BEFORE_STALLING // PIECE):
                    writer.write(chunk(b"\xff" * PIECE))
                    await writer.drain()
            # ...and never the rest. Whatever the gateway answers, up to its closing the connection:
            self.answer = await asyncio.wait_for(reader.read(), timeout=DEADLINE_SECONDS + 20)
            self.closed = reader.at_eof()
        finally:
            writer.close()


async def sample_rss(gateway: GatewayProcess, samples: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(gateway.rss_bytes())
        await asyncio.sleep(0.05)


async def test_fifty_stalled_uploads_leave_memory_bounded_and_other_users_served(
    gateway: GatewayProcess, issuer: FirebaseTestIssuer, upstreams: dict[str, Upstream], record_property: Callable[[str, object], None]
) -> None:
    story = upstreams["story-service"].probes
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        # Warm: as many users at once as will stall (token checks fill their thread pool), and one whole upload.
        warm = [{"Authorization": f"Bearer {issuer.token(uid=f'warm-{n}')}"} for n in range(UPLOADS)]
        answers = await asyncio.gather(*(client.get("/v1/catalog", headers=headers) for headers in warm))
        assert {answer.status_code for answer in answers} == {200}
        files = {"image": ("p.jpg", b"\xff" * MIB)}
        assert (await client.post("/v1/stories", params={"discard": "true"}, files=files, headers=warm[0])).status_code == 200
        await asyncio.sleep(2.5)  # the relay's idle upstream connections close after 2 s
        baseline, sockets_before = gateway.rss_bytes(), gateway.open_sockets()

        probe_id = uuid.uuid4().hex
        uploads = [StalledUpload(gateway, issuer.token(uid=f"stalled-{n}"), probe_id) for n in range(UPLOADS)]
        samples: list[int] = []
        stop_sampling = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(gateway, samples, stop_sampling))
        started = time.monotonic()
        running = [asyncio.create_task(upload.run()) for upload in uploads]

        # Every stalled upload has pushed its bytes through the gateway to the service.
        total = UPLOADS * SENT_BEFORE_STALLING
        while story.get(probe_id).received_bytes < total and time.monotonic() - started < DEADLINE_SECONDS - 2:  # noqa: ASYNC110 - another thread's counter
            await asyncio.sleep(0.1)
        relayed, relayed_after = story.get(probe_id).received_bytes, time.monotonic() - started
        sockets_during = gateway.open_sockets()

        # Another reader meanwhile.
        other = {"Authorization": f"Bearer {issuer.token(uid='someone-else')}"}
        asked = time.monotonic()
        served = await client.get("/v1/catalog", headers=other)
        served_in = time.monotonic() - asked

        await asyncio.gather(*running)
        dropped_after = time.monotonic() - started
        stop_sampling.set()
        await sampler
        await asyncio.sleep(0.5)
        after, sockets_after = gateway.rss_bytes(), gateway.open_sockets()

    peak_growth = max(samples) - baseline
    figures = {
        "baseline_rss_mib": round(baseline / MIB, 1),
        "peak_rss_growth_mib": round(peak_growth / MIB, 1),
        "rss_after_drop_mib": round(after / MIB, 1),
        "relayed_mib": round(relayed / MIB, 1),
        "relayed_after_s": round(relayed_after, 1),
        "other_user_served_in_s": round(served_in, 3),
        "dropped_after_s": round(dropped_after, 1),
        "sockets": (sockets_before, sockets_during, sockets_after),
    }
    record_property("stalled_uploads", figures)
    print(figures)

    assert relayed >= total * 0.95, "the gateway held the uploads back instead of relaying them"
    assert peak_growth < UPLOADS * BOUND_PER_UPLOAD, figures  # holding what each one sent would be 200 MiB
    assert served.status_code == 200 and served_in < 2.0, figures
    for upload in uploads:
        assert upload.answer.startswith(b"HTTP/1.1 408 "), upload.answer[:200]
        assert b'"request_timeout"' in upload.answer
        assert upload.closed
    assert DEADLINE_SECONDS - 1 <= dropped_after <= DEADLINE_SECONDS + 10, figures
    # Each stalled upload held a socket (and its relay another) until the deadline; then they were all let go.
    assert sockets_during >= UPLOADS and sockets_after <= 10, figures
