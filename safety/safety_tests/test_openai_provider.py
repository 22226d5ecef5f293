"""The OpenAI provider against a loopback server speaking the moderation protocol: text and images are sent
as omni-moderation expects, OpenAI's categories map onto ours, and an outage falls back to offline."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from storyscape_devtools.testing import LiveServer, free_port

from safety_tests.utils.fake_openai import API_KEY, moderation_app
from storyscape_safety import Category, FallbackModerator, OfflineModerator, OpenAIModerator, SafetySettings, create_moderator

SEEN: list[dict[str, Any]] = []  # request bodies the loopback server received


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(moderation_app(seen=SEEN)) as live:
        yield live


def moderator(server: LiveServer, **options: float) -> OpenAIModerator:
    return OpenAIModerator(api_key=API_KEY, base_url=f"{server.url}/v1", **options)  # type: ignore[arg-type]


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, format="PNG")
    return out.getvalue()


async def test_a_clean_prompt_is_allowed_and_the_model_is_named(server: LiveServer) -> None:
    verdict = await moderator(server).check_text("A turtle who learns to fly")
    assert verdict.allowed and verdict.provider == "openai"
    assert SEEN[-1] == {"model": "omni-moderation-latest", "input": "A turtle who learns to fly"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so much gore", {Category.VIOLENCE}),
        ("you idiot", {Category.PROFANITY}),
        ("I feel hopeless", {Category.SELF_HARM}),
        ("buy pills", {Category.DRUGS}),
    ],
)
async def test_openai_categories_map_onto_ours(server: LiveServer, text: str, expected: set[Category]) -> None:
    verdict = await moderator(server).check_text(text)
    assert verdict.blocked and verdict.categories == expected


async def test_a_strict_threshold_blocks_what_openai_only_scored(server: LiveServer) -> None:
    assert (await moderator(server).check_text("a borderline scene")).allowed
    strict = await moderator(server, strict_threshold=0.3).check_text("a borderline scene")
    assert strict.blocked and strict.categories == {Category.VIOLENCE}


async def test_images_go_as_data_urls_with_their_real_type(server: LiveServer) -> None:
    assert (await moderator(server).check_image(png((40, 160, 220)))).allowed
    verdict = await moderator(server).check_image(png((230, 20, 30)))
    assert verdict.blocked and verdict.categories == {Category.SEXUAL}
    sent = SEEN[-1]["input"][0]
    assert sent["type"] == "image_url" and sent["image_url"]["url"].startswith("data:image/png;base64,")


async def test_an_outage_falls_back_to_the_offline_moderator(offline: OfflineModerator) -> None:
    with LiveServer(moderation_app(fail_with=500)) as broken:
        primary = OpenAIModerator(api_key=API_KEY, base_url=f"{broken.url}/v1", max_retries=0)
        moderated = FallbackModerator(primary, offline)
        blocked = await moderated.check_text("मैं तुझे जान से मार दूँगा")
        allowed = await moderated.check_text("उल्लू और गधा दोस्त थे")
    assert blocked.blocked and blocked.provider == "offline" and allowed.allowed


async def test_an_unreachable_openai_falls_back_too(offline: OfflineModerator) -> None:
    primary = OpenAIModerator(api_key=API_KEY, base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=0, timeout_s=2)
    verdict = await FallbackModerator(primary, offline).check_text("what the fuck")
    assert verdict.blocked and verdict.provider == "offline"


async def test_settings_choose_the_provider(server: LiveServer) -> None:
    assert create_moderator(SafetySettings()).name == "offline"
    online = create_moderator(SafetySettings(openai_api_key=API_KEY, openai_base_url=f"{server.url}/v1"))  # type: ignore[arg-type]
    assert online.name == "openai|offline"
    assert (await online.check_text("so much gore")).categories == {Category.VIOLENCE}
