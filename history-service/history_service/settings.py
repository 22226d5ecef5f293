"""history-service settings (env prefix `HISTORY_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyscape_common.registry import HISTORY_SERVICE, service
from storyscape_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HISTORY_", env_file=".env", extra="ignore")

    service_name: str = HISTORY_SERVICE
    port: int = service(HISTORY_SERVICE).default_port
    database_url: str = Field(
        default="sqlite:///.data/history.db",
        description="postgresql://… in production; the SQLite default is relative to the working directory",
    )
    default_timezone: str = Field(default="Asia/Kolkata", description="IANA zone for grouping when the request names none")

    def secret_fields(self) -> tuple[str, ...]:
        # The URL may carry a database password.
        return ("database_url",)
