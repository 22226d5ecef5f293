"""prompt-service settings (env prefix `PROMPT_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyscape_common.registry import HINDI_LLM_SERVICE, PROMPT_SERVICE, service
from storyscape_common.settings import SignerSettings, local_url


class Settings(SignerSettings):
    model_config = SettingsConfigDict(env_prefix="PROMPT_", env_file=".env", extra="ignore")

    service_name: str = PROMPT_SERVICE
    port: int = service(PROMPT_SERVICE).default_port
    database_url: str = Field(
        default="sqlite:///.data/prompt.db",
        description="postgresql://… in production; the SQLite default is relative to the working directory",
    )
    redis_url: str = Field(default="", description="Redis for the suggestion cache and cross-process lock; empty keeps both in-process")
    hindi_llm_url: str = Field(default=local_url(HINDI_LLM_SERVICE) + "/v1", description="The local model's OpenAI-compatible base URL")
    hindi_llm_model: str = Field(default="smollm2-135m-instruct", description="Model name asked of hindi-llm-service")
    openai_api_key: str = Field(default="", description="Suggestions from OpenAI when set; otherwise from the local model")
    openai_base_url: str = Field(default="", description="Override for OpenAI's API base URL (proxies, tests)")
    openai_model: str = Field(default="gpt-4o-mini", description="OpenAI model for suggestions")
    suggestion_deadline_seconds: float = Field(default=3.0, gt=0, le=30, description="Past this the bank answers the model's request")
    suggestion_lock_seconds: float = Field(
        default=15.0, gt=0, le=120, description="A generation lock older than this is taken over (its holder is presumed dead)"
    )
    suggestion_retry_seconds: int = Field(
        default=60,
        ge=1,
        description="A bank set served after a missed model deadline is kept this long; then the model is asked again",
    )
    suggestion_cache_seconds: int = Field(default=26 * 3600, ge=1, description="How long a day's set stays in the cache")
    suggestion_daily_generations: int = Field(
        default=3,
        ge=0,
        description="New suggestion sets (model calls) per reader per local day, whatever their settings; then the bank answers",
    )
    suggestion_retention_days: int = Field(default=30, ge=1, description="Stored suggestion sets older than this are purged")
    suggestion_purge_interval_seconds: float = Field(default=3600.0, gt=0, description="How often old suggestion sets are purged")

    def secret_fields(self) -> tuple[str, ...]:
        # The URLs may carry passwords.
        return (*super().secret_fields(), "database_url", "redis_url", "openai_api_key")
