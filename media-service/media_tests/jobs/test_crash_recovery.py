"""A media-service process killed in the middle of a job: after a restart the job is run again and finishes."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port, postgres_database

from media_tests.utils.fake_openai import Behaviour, create_fake_openai
from media_tests.utils.jobs import ENGLISH_STORY, caller, client, image_facts, new_story_id, user, wait_all_finished
from storyscape_common.contracts.media import IllustrationsCreate, IllustrationSlot


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("media_crash") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'media.db'}"


@contextmanager
def media_process(env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m media_service` as its own process, killed with SIGKILL (no clean shutdown) at the end if alive."""
    process = subprocess.Popen([sys.executable, "-m", "media_service"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else "exited"
            try:
                if httpx.get(f"http://127.0.0.1:{env['MEDIA_PORT']}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "media-service did not start"
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def test_a_job_interrupted_by_a_crash_finishes_after_restart(keys: TestKeys, tmp_path: Path, database_url: str) -> None:
    behaviour = Behaviour(stall_first=1, stall_s=120)  # the first picture never comes back in time
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEDIA_")},
        "MEDIA_ENVIRONMENT": "test", "MEDIA_HOST": "127.0.0.1", "MEDIA_PORT": str(port),
        "MEDIA_INTERNAL_PUBLIC_KEYS": json.dumps(keys.public_keys), "MEDIA_DATABASE_URL": database_url,
        "MEDIA_LOCAL_DIR": str(tmp_path / "objects"), "MEDIA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MEDIA_URL_SIGNING_SECRET": secrets.token_urlsafe(32), "MEDIA_OPENAI_API_KEY": "sk-test-key",
        "MEDIA_JOB_LEASE_S": "2", "MEDIA_JOB_POLL_S": "0.2",
    }  # fmt: skip
    alice, story_id = user(), new_story_id()
    with LiveServer(create_fake_openai(behaviour)) as fake:
        env["MEDIA_OPENAI_BASE_URL"] = f"{fake.url}/v1"
        media = client(f"http://127.0.0.1:{port}", keys)
        with media_process(env, tmp_path) as first:
            await media.register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
            request = IllustrationsCreate(ai_images=True, slots=[IllustrationSlot(index=0)])
            (job,) = (await media.request_illustrations(story_id, request, identity=caller(alice, "t"))).jobs
            assert await asyncio.to_thread(behaviour.seen.wait, 60)  # the worker is now inside the image request
            assert (await media.jobs(story_id, identity=caller(alice, "t"))).jobs[0].state == "running"
            first.send_signal(signal.SIGKILL)
            first.wait()

        with media_process(env, tmp_path):
            (finished,) = (await wait_all_finished(media, story_id, user_id=alice)).values()
            assert finished.id == job.id
            assert (finished.state, finished.attempts) == ("succeeded", 2)
            assert len(behaviour.requests) == 2
            assert finished.image is not None
            async with httpx.AsyncClient() as http:
                assert image_facts((await http.get(finished.image.url)).content)[0] == "PNG"
        behaviour.release.set()
        await media.aclose()
