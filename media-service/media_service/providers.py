"""The illustrator and narrator the settings choose: OpenAI when a key is set (or asked for), else offline."""

from __future__ import annotations

from openai import AsyncOpenAI

from media_service.illustration.draw import Fonts
from media_service.illustration.providers import LocalIllustrator, OpenAIIllustrator
from media_service.jobs.worker import Providers
from media_service.narration.providers import EspeakNarrator, Narrator, OpenAINarrator
from media_service.settings import Settings

OPENAI_TIMEOUT_S = 120.0


def openai_client(settings: Settings) -> AsyncOpenAI:
    # Our job retries (with backoff, across restarts) replace the client's own.
    return AsyncOpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url, max_retries=0, timeout=OPENAI_TIMEOUT_S)


def create_providers(settings: Settings) -> Providers:
    fonts = Fonts(emoji=settings.emoji_font, latin=settings.latin_font, devanagari=settings.devanagari_font)
    has_key = bool(settings.openai_api_key)
    use_openai_images = settings.illustrator == "openai" or (settings.illustrator == "auto" and has_key)
    use_openai_voice = settings.narrator == "openai" or (settings.narrator == "auto" and has_key)
    if (use_openai_images or use_openai_voice) and not has_key:
        raise ValueError("the openai illustrator or narrator needs openai_api_key")
    client = openai_client(settings) if has_key else None
    illustrator = OpenAIIllustrator(client, model=settings.image_model) if use_openai_images and client else LocalIllustrator(fonts)
    narrator: Narrator = (
        OpenAINarrator(client, model=settings.tts_model, voice=settings.tts_voice) if use_openai_voice and client else EspeakNarrator()
    )
    return Providers(illustrator=illustrator, neutral=LocalIllustrator(fonts, neutral=True), narrator=narrator)
