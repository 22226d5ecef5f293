"""history-service settings (env prefix `HISTORY_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyscape_common.registry import HISTORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE, service
from storyscape_common.settings import SignerSettings, local_url


class Settings(SignerSettings):
    model_config = SettingsConfigDict(env_prefix="HISTORY_", env_file=".env", extra="ignore")

    service_name: str = HISTORY_SERVICE
    port: int = service(HISTORY_SERVICE).default_port
    database_url: str = Field(
        default="sqlite:///.data/history.db",
        description="postgresql://… in production; the SQLite default is relative to the working directory",
    )
    default_timezone: str = Field(
        default="Asia/Kolkata", description="IANA zone for grouping when neither the request nor the reader's settings name one"
    )
    prompt_url: str = Field(default=local_url(PROMPT_SERVICE), description="prompt-service base URL (the reader's time zone)")
    media_url: str = Field(default=local_url(MEDIA_SERVICE), description="media-service base URL (pictures and narration of stories)")
    media_timeout_seconds: float = Field(
        default=1.5, gt=0, description="How long a read waits for media-service before stories go out without media"
    )
    media_outbox_poll_seconds: float = Field(default=2.0, gt=0, description="How often queued media deletions are sent")
    settings_cache_seconds: float = Field(default=60.0, ge=0, description="How long a reader's time zone from settings is reused")
    tombstone_retention_hours: float = Field(
        default=192.0,
        gt=0,
        description="How long a deleted story's id is remembered, refusing a late save of it (410): longer than "
        "story-service tries to deliver a story (`STORY_OUTBOX_MAX_DELIVERY_HOURS`, 168)",
    )
    tombstone_purge_interval_seconds: float = Field(
        default=3600.0, gt=0, description="How often tombstones past their retention are purged"
    )

    def secret_fields(self) -> tuple[str, ...]:
        # The URL may carry a database password.
        return (*super().secret_fields(), "database_url")
