"""prompt-service settings (env prefix `PROMPT_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from storyscape_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROMPT_", env_file=".env", extra="ignore")

    service_name: str = "prompt-service"
    port: int = 8003
