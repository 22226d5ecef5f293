"""story-service settings (env prefix `STORY_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyscape_common.settings import SignerSettings


class Settings(SignerSettings):
    model_config = SettingsConfigDict(env_prefix="STORY_", env_file=".env", extra="ignore")

    service_name: str = "story-service"
    port: int = 8001
    history_url: str = "http://127.0.0.1:8004"
    hindi_llm_url: str = Field(default="http://127.0.0.1:8005/v1", description="OpenAI-compatible base URL")
    hindi_model: str = Field(default="storyscape-hi", description="Model or LoRA adapter name on hindi-llm-service for Hindi stories")
    local_english_model: str = Field(default="gemma3-270m", description="Model on hindi-llm-service for English when no OpenAI key is set")
    openai_api_key: str = Field(default="", description="Enables OpenAI for English stories")
    openai_base_url: str = Field(default="", description="Override for OpenAI's API base URL (proxies, tests)")
    english_model: str = "gpt-4o"
    max_story_tokens: int = Field(default=2048, ge=16, description="Upper bound on tokens generated per story")
    temperature: float = 0.8
    top_p: float = 0.95
    first_token_timeout_seconds: float = 60.0
    token_timeout_seconds: float = 60.0
    ping_interval_seconds: float = 15.0
    save_attempts: int = 4

    def secret_fields(self) -> tuple[str, ...]:
        return (*super().secret_fields(), "openai_api_key")
