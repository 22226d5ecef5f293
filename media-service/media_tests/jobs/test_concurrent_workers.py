"""Two media-service processes' workers on one PostgreSQL database: every job runs exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from storyscape_devtools.testing import LiveServer, TestKeys, free_port, postgres_database

from media_service.main import create_app
from media_tests.utils.fake_openai import Behaviour, create_fake_openai
from media_tests.utils.jobs import ENGLISH_STORY, caller, client, job_settings, new_story_id, user, wait_all_finished
from storyscape_common.contracts.media import IllustrationsCreate


@pytest.fixture
def database_url() -> Iterator[str]:
    with postgres_database("media_workers") as url:
        yield url


async def test_skip_locked_claims_never_run_a_job_twice(keys: TestKeys, tmp_path: Path, database_url: str) -> None:
    behaviour = Behaviour()  # counts every picture asked of the (loopback) image API
    stories = 8
    with LiveServer(create_fake_openai(behaviour)) as fake, ExitStack() as stack:
        servers = []
        for n in range(2):
            port = free_port()
            settings = job_settings(
                keys=keys, local_dir=tmp_path / "objects", database_url=database_url, public_base_url=f"http://127.0.0.1:{port}",
                workers=3, openai_api_key="sk-test-key", openai_base_url=f"{fake.url}/v1", job_poll_s=0.05 + n * 0.05,
            )  # fmt: skip
            servers.append(stack.enter_context(LiveServer(create_app(settings), port=port)))
        alice = user()
        media = [client(server.url, keys) for server in servers]
        ids = [new_story_id() for _ in range(stories)]
        for n, story_id in enumerate(ids):  # half the jobs are written through each process
            await media[n % 2].register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
            await media[n % 2].request_illustrations(story_id, IllustrationsCreate(ai_images=True), identity=caller(alice, "t"))
        results = await asyncio.gather(*(wait_all_finished(media[0], story_id, user_id=alice) for story_id in ids))
        for media_client in media:
            await media_client.aclose()
    jobs = [job for finished in results for job in finished.values()]
    assert len(jobs) == 2 * stories
    assert {(job.state, job.attempts) for job in jobs} == {("succeeded", 1)}
    assert len(behaviour.requests) == 2 * stories  # no picture was made twice
