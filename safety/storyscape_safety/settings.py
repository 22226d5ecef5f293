"""Moderation settings (`SAFETY_*` environment variables) and the one function that builds a moderator."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storyscape_safety.fallback import FallbackModerator
from storyscape_safety.offline import DEFAULT_NSFW_THRESHOLD, DEFAULT_PROFANITY_THRESHOLD, OfflineModerator
from storyscape_safety.openai_provider import DEFAULT_MODEL, OpenAIModerator
from storyscape_safety.types import Moderator


class SafetySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFETY_", extra="ignore")

    openai_api_key: SecretStr | None = None  # unset: offline moderation only
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_MODEL
    openai_timeout_s: float = 10.0
    openai_strict_threshold: float | None = None
    profanity_threshold: float = DEFAULT_PROFANITY_THRESHOLD
    nsfw_threshold: float = DEFAULT_NSFW_THRESHOLD


def create_moderator(settings: SafetySettings | None = None) -> Moderator:
    """OpenAI with the offline moderator behind it when a key is set, otherwise the offline moderator."""
    settings = settings or SafetySettings()
    offline = OfflineModerator(profanity_threshold=settings.profanity_threshold, nsfw_threshold=settings.nsfw_threshold)
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
        return offline
    online = OpenAIModerator(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout_s=settings.openai_timeout_s,
        strict_threshold=settings.openai_strict_threshold,
    )
    return FallbackModerator(online, offline)
