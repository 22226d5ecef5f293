"""Pictures for a story: two per request, AI or neutral, fetchable, listed with fresh URLs; idempotent."""

from __future__ import annotations

import asyncio

import httpx

from media_tests.utils.jobs import ENGLISH_STORY, HINDI_STORY, caller, image_facts, new_story_id, user, wait_all_finished
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate, IllustrationSlot


async def test_ai_images_give_two_fetchable_pictures_that_the_story_lists(media: MediaClient) -> None:
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, HINDI_STORY, identity=caller(alice, "t"))
    jobs = await media.request_illustrations(story_id, IllustrationsCreate(ai_images=True), identity=caller(alice, "t"))
    assert [(j.kind, j.index) for j in jobs.jobs] == [("illustration", 0), ("illustration", 1)]

    finished = await wait_all_finished(media, story_id, user_id=alice)
    assert {j.state for j in finished.values()} == {"succeeded"}
    listed = await media.story_media(story_id, identity=caller(alice, "t"))
    assert [(i.index, i.kind) for i in listed.images] == [(0, "ai"), (1, "ai")]
    assert listed.images[0].caption == HINDI_STORY.title  # the cover is captioned with the title, in Hindi
    assert not listed.pending and listed.audio is None
    async with httpx.AsyncClient() as http:
        for image in listed.images:
            response = await http.get(image.url)
            assert response.status_code == 200
            kind, width, height = image_facts(response.content)
            assert kind in ("PNG", "WEBP") and max(width, height) >= 768


async def test_ai_images_off_gives_two_neutral_pictures(media: MediaClient) -> None:
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
    await media.request_illustrations(story_id, IllustrationsCreate(ai_images=False), identity=caller(alice, "t"))
    await wait_all_finished(media, story_id, user_id=alice)
    listed = await media.story_media(story_id, identity=caller(alice, "t"))
    assert [(i.index, i.kind) for i in listed.images] == [(0, "neutral"), (1, "neutral")]
    assert listed.images[0].caption == ENGLISH_STORY.title


async def test_reads_sign_fresh_urls(media: MediaClient) -> None:
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
    slots = IllustrationsCreate(ai_images=False, slots=[IllustrationSlot(index=0, caption="Mira and the moon")])
    await media.request_illustrations(story_id, slots, identity=caller(alice, "t"))
    await wait_all_finished(media, story_id, user_id=alice)
    first = (await media.story_media(story_id, identity=caller(alice, "t"))).images[0]
    await asyncio.sleep(1.1)
    second = (await media.story_media(story_id, identity=caller(alice, "t"))).images[0]
    assert first.caption == "Mira and the moon"
    assert first.url.split("?")[0] == second.url.split("?")[0]
    assert first.url != second.url  # a later expiry, signed at read time


async def test_the_same_request_never_makes_two_jobs(media: MediaClient) -> None:
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, HINDI_STORY, identity=caller(alice, "t"))
    request = IllustrationsCreate(ai_images=True)
    answers = await asyncio.gather(*(media.request_illustrations(story_id, request, identity=caller(alice, "t")) for _ in range(5)))
    assert len({tuple(j.id for j in answer.jobs) for answer in answers}) == 1
    await wait_all_finished(media, story_id, user_id=alice)
    again = await media.request_illustrations(story_id, request, identity=caller(alice, "t"))
    assert [j.id for j in again.jobs] == [j.id for j in answers[0].jobs]
    assert {j.state for j in again.jobs} == {"succeeded"}
    assert len((await media.jobs(story_id, identity=caller(alice, "t"))).jobs) == 2


async def test_event_stream_reports_each_job_then_ends(media: MediaClient) -> None:
    alice, story_id = user(), new_story_id()
    await media.register_story(story_id, ENGLISH_STORY, identity=caller(alice, "t"))
    await media.request_illustrations(story_id, IllustrationsCreate(ai_images=False), identity=caller(alice, "t"))
    seen = [job async for job in media.job_updates(story_id, identity=caller(alice, "t"), timeout_s=60)]
    succeeded = [job for job in seen if job.state == "succeeded"]
    assert sorted(job.index for job in succeeded) == [0, 1]
    assert all(job.image is not None and job.image.url for job in succeeded)
