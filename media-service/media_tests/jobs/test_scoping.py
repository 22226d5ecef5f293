"""Another user can neither create nor read this story's media; a user's gateway token cannot drive jobs."""

from __future__ import annotations

import httpx
import pytest

from media_tests.utils.jobs import HINDI_STORY, caller, new_story_id, user, wait_all_finished
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate
from storyscape_common.errors import ApiError


async def test_another_user_can_neither_create_nor_read(media: MediaClient, gateway: MediaClient) -> None:
    alice, bob, story_id = user(), user(), new_story_id()
    await media.register_story(story_id, HINDI_STORY, identity=caller(alice, "t"))
    jobs = await media.request_illustrations(story_id, IllustrationsCreate(ai_images=False), identity=caller(alice, "t"))
    await wait_all_finished(media, story_id, user_id=alice)

    with pytest.raises(ApiError) as taken:
        await media.register_story(story_id, HINDI_STORY, identity=caller(bob, "t"))
    assert taken.value.status == 409
    for create in (
        media.request_illustrations(story_id, IllustrationsCreate(ai_images=True), identity=caller(bob, "t")),
        media.request_narration(story_id, identity=caller(bob, "t")),
        gateway.request_audio(story_id, identity=caller(bob, "t")),
    ):
        with pytest.raises(ApiError) as refused:
            await create
        assert refused.value.status == 404
    assert (await media.jobs(story_id, identity=caller(bob, "t"))).jobs == []
    bobs_view = await media.story_media(story_id, identity=caller(bob, "t"))
    assert bobs_view.images == [] and bobs_view.audio is None
    bobs_page = await media.read_media([story_id], [], identity=caller(bob, "t"))
    assert [(m.story_id, m.images, m.audio) for m in bobs_page.stories] == [(story_id, [], None)]
    with pytest.raises(ApiError) as hidden:
        await media._call("GET", f"/internal/jobs/{jobs.jobs[0].id}", identity=caller(bob, "t"))
    assert hidden.value.status == 404
    assert [job async for job in media.job_updates(story_id, identity=caller(bob, "t"), timeout_s=0.5)] == []

    deleted = await media.delete_story_media(story_id, identity=caller(bob, "t"))
    assert (deleted.stories, deleted.objects) == (0, 0)
    images = (await media.story_media(story_id, identity=caller(alice, "t"))).images
    async with httpx.AsyncClient() as http:
        assert [(await http.get(image.url)).status_code for image in images] == [200, 200]


async def test_a_gateway_token_cannot_call_internal_routes(gateway: MediaClient) -> None:
    alice, story_id = user(), new_story_id()
    with pytest.raises(ApiError) as refused:
        await gateway.register_story(story_id, HINDI_STORY, identity=caller(alice, "t"))
    assert (refused.value.status, refused.value.code) == (403, "forbidden")


async def test_no_token_no_access(media_server_url: str) -> None:
    async with httpx.AsyncClient(base_url=media_server_url) as http:
        for method, path in (("GET", f"/internal/stories/{new_story_id()}/jobs"), ("POST", f"/v1/stories/{new_story_id()}/audio")):
            assert (await http.request(method, path)).status_code == 401


@pytest.mark.parametrize("story_id", ["../etc", "a b", "x" * 65])
async def test_bad_story_ids_are_400s(media: MediaClient, story_id: str) -> None:
    response = await media.request("PUT", f"/internal/stories/{story_id}", identity=caller(user()), json=HINDI_STORY.model_dump())
    assert response.status_code in (400, 404, 422)
    assert "error" in response.json()


async def test_a_page_of_stories_is_read_in_one_call_in_the_order_asked(media: MediaClient) -> None:
    alice, illustrated, plain = user(), new_story_id(), new_story_id()
    for story_id in (illustrated, plain):
        await media.register_story(story_id, HINDI_STORY, identity=caller(alice, "t"))
    await media.request_illustrations(illustrated, IllustrationsCreate(ai_images=False), identity=caller(alice, "t"))
    await wait_all_finished(media, illustrated, user_id=alice)

    page = await media.read_media([plain, illustrated], [], identity=caller(alice, "t"))
    assert [m.story_id for m in page.stories] == [plain, illustrated]
    alone = await media.story_media(illustrated, identity=caller(alice, "t"))
    assert (
        [(i.index, i.kind) for i in page.stories[1].images] == [(i.index, i.kind) for i in alone.images] == [(0, "neutral"), (1, "neutral")]
    )
    assert page.stories[0].images == [] and page.photos == {}

    bad: list[dict[str, list[str]]] = [{"story_ids": []}, {"story_ids": ["s"] * 101}, {"story_ids": ["s"], "photo_keys": ["k"] * 101}]
    for body in bad:
        response = await media.request("POST", "/internal/media/read", identity=caller(alice, "t"), json=body)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
