"""prompt-service settings (env prefix `PROMPT_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyscape_common.registry import PROMPT_SERVICE, service
from storyscape_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROMPT_", env_file=".env", extra="ignore")

    service_name: str = PROMPT_SERVICE
    port: int = service(PROMPT_SERVICE).default_port
    database_url: str = Field(
        default="sqlite:///.data/prompt.db",
        description="postgresql://… in production; the SQLite default is relative to the working directory",
    )

    def secret_fields(self) -> tuple[str, ...]:
        # The URL may carry a database password.
        return ("database_url",)
