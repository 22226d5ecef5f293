"""prompt-service settings (env prefix `PROMPT_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from storyscape_common.registry import PROMPT_SERVICE, service
from storyscape_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROMPT_", env_file=".env", extra="ignore")

    service_name: str = PROMPT_SERVICE
    port: int = service(PROMPT_SERVICE).default_port
