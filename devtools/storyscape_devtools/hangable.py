"""A server that answers `GET /healthz` until `POST /hang` tells it to block its own event loop, as a backtracking
regex or a synchronous call inside `async def` would; the supervisor's and the container health check's tests run
against it.

    python -m storyscape_devtools.hangable --port 8123
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Scope = dict[str, Any]
Message = dict[str, Any]

# Long enough to outlast any test; the process is killed long before. A sleep rather than a busy loop: the event
# loop is just as stuck, without taking a CPU core from everything else on the machine.
HANG_SECONDS = 3600.0


async def respond(send: Callable[[Message], Awaitable[None]], status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def app(scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]) -> None:
    """`/healthz` names the process (so a test can tell a restarted one); `/hang` answers 202, then stops the loop."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/healthz":
        await respond(send, 200, {"status": "ok", "pid": os.getpid()})
    elif scope["path"] == "/hang" and scope["method"] == "POST":
        await respond(send, 202, {"status": "hanging", "pid": os.getpid()})
        # After the answer has gone out: the caller learns the hang began, then nothing answers any more.
        asyncio.get_running_loop().call_later(0.05, time.sleep, HANG_SECONDS)
    else:
        await respond(send, 404, {"status": "not found"})


def main() -> None:
    parser = argparse.ArgumentParser(description="A /healthz server whose event loop can be made to hang.")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, lifespan="off", log_level="warning")


if __name__ == "__main__":
    main()
