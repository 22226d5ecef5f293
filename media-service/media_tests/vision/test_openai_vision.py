"""gpt-4o vision against a loopback chat-completions server; failures fall back to the local analyser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storyscape_devtools.testing import LiveServer

from media_service.vision import create_vision_provider
from media_tests.utils.fake_openai_vision import API_KEY, vision_app

PHOTO = (Path(__file__).resolve().parents[1] / "data" / "coffee_cc0.jpg").read_bytes()


async def test_the_photo_goes_to_gpt_4o_as_a_data_url_with_instructions_in_the_story_language() -> None:
    seen: list[dict[str, Any]] = []
    with LiveServer(vision_app(seen=seen)) as server:
        provider = create_vision_provider(openai_api_key=API_KEY, openai_base_url=f"{server.url}/v1")
        english = await provider.describe(PHOTO, language="en")
        hindi = await provider.describe(PHOTO, language="hi")
    assert english.text == "A picture 400 pixels wide." and english.provider == "openai"
    assert hindi.text == "एक 400 पिक्सेल चौड़ी तस्वीर।"
    assert seen[0]["model"] == "gpt-4o"
    assert "children's story" in seen[0]["messages"][0]["content"][0]["text"]
    assert "बच्चों की कहानी" in seen[1]["messages"][0]["content"][0]["text"]


async def test_an_openai_failure_falls_back_to_the_local_analyser() -> None:
    with LiveServer(vision_app(fail_with=500)) as server:
        provider = create_vision_provider(openai_api_key=API_KEY, openai_base_url=f"{server.url}/v1")
        described = await provider.describe(PHOTO, language="hi")
    assert described.provider == "local" and "एक कप" in described.text


async def test_without_a_key_the_local_analyser_is_used() -> None:
    described = await create_vision_provider().describe(PHOTO, language="en")
    assert described.provider == "local" and "a cup" in described.text
