"""story-service (the test stack's `story_server`) alone in a child process, so a test can watch it from outside: a
service whose event loop stalls, or that holds the GIL, cannot stall the test that measures it.

`story_process(...)` starts it and yields its URL; the child reads its settings as one JSON line on stdin, writes
its URL to a file, and serves until its stdin closes. A child that does not stop is killed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storyscape_devtools.testing import TestKeys

from story_tests.utils.stack import story_server

STORY_SERVICE_DIR = Path(__file__).resolve().parents[2]


@contextmanager
def story_process(keys: TestKeys, directory: Path, **settings: Any) -> Iterator[str]:
    """Yield the URL of a story-service child process started with `story_server(keys, **settings)`."""
    ready, log = directory / "story-url", directory / "story-service.log"
    config = {"keys": keys.pairs, "ready": str(ready), "settings": settings}
    with log.open("wb") as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "story_tests.utils.story_process"],
            cwd=STORY_SERVICE_DIR, stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            assert child.stdin is not None
            child.stdin.write(json.dumps(config).encode() + b"\n")
            child.stdin.flush()
            yield wait_for_url(child, ready, log)
        finally:
            stop(child)


def wait_for_url(child: subprocess.Popen[bytes], ready: Path, log: Path, timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"story-service did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.05)
    return ready.read_text()


def stop(child: subprocess.Popen[bytes]) -> None:
    """Close its stdin (it stops), or kill it when it does not stop: a process stuck in a regex holds the GIL."""
    if child.stdin is not None:
        child.stdin.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def main() -> None:
    config = json.loads(sys.stdin.readline())
    keys = TestKeys({issuer: (private, public) for issuer, (private, public) in config["keys"].items()})
    with story_server(keys, **config["settings"]) as server:
        server.wait_ready()
        ready = Path(config["ready"])
        ready.with_suffix(".tmp").write_text(server.url)
        ready.with_suffix(".tmp").rename(ready)  # the test never reads half a URL
        sys.stdin.read()  # until the test closes it, or ends


if __name__ == "__main__":
    main()
