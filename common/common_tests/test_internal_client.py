"""Calls between our services never go down a keep-alive connection the server is about to close."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from storyscape_devtools.testing import LiveServer, TestKeys

from storyscape_common.clients.internal import KEEPALIVE_SECONDS, InternalClient
from storyscape_common.internal_auth import Identity
from storyscape_common.settings import ServiceSettings


def port_echo() -> FastAPI:
    app = FastAPI()

    @app.get("/port")
    async def port(request: Request) -> dict[str, int]:
        assert request.client is not None
        return {"port": request.client.port}

    return app


async def test_an_idle_connection_is_let_go_before_any_service_would_close_it(keys: TestKeys) -> None:
    # The server keeps idle connections longer than the client (the smallest keep-alive a service may be given):
    # so a request can only ever go down a connection the server still holds open.
    least_server_keep_alive = ServiceSettings.model_fields["keep_alive_timeout_seconds"].metadata[0].ge
    assert KEEPALIVE_SECONDS < least_server_keep_alive

    with LiveServer(port_echo()) as server:
        client = InternalClient(base_url=server.url, audience="test", signer=keys.signer("story-service"))
        identity = Identity(user_id="u", request_id="r", issuer="story-service", token="")
        try:
            ports = [(await client.request("GET", "/port", identity=identity)).json()["port"]]
            await asyncio.sleep(KEEPALIVE_SECONDS / 4)
            ports.append((await client.request("GET", "/port", identity=identity)).json()["port"])
            await asyncio.sleep(KEEPALIVE_SECONDS + 0.5)
            ports.append((await client.request("GET", "/port", identity=identity)).json()["port"])
        finally:
            await client.aclose()
    assert ports[0] == ports[1], "a connection used again soon is kept"
    assert ports[2] != ports[1], "after the client's keep-alive, a new connection (the old one was let go first)"
