"""story-service settings (env prefix `STORY_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyscape_common.firebase_project import FirebaseProjectSettings
from storyscape_common.registry import HINDI_LLM_SERVICE, HISTORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE, STORY_SERVICE, service
from storyscape_common.settings import SignerSettings, local_url


class Settings(SignerSettings, FirebaseProjectSettings):
    model_config = SettingsConfigDict(env_prefix="STORY_", env_file=".env", extra="ignore")

    service_name: str = STORY_SERVICE
    port: int = service(STORY_SERVICE).default_port
    history_url: str = Field(default=local_url(HISTORY_SERVICE), description="history-service base URL")
    prompt_url: str = Field(default=local_url(PROMPT_SERVICE), description="prompt-service base URL (the reader's settings)")
    media_url: str = Field(default=local_url(MEDIA_SERVICE), description="media-service base URL (illustrations, narration, photos)")
    hindi_llm_url: str = Field(default=local_url(HINDI_LLM_SERVICE) + "/v1", description="OpenAI-compatible base URL")
    hindi_model: str = Field(default="storyscape-hi", description="Model or LoRA adapter name on hindi-llm-service for Hindi stories")
    local_english_model: str = Field(
        default="smollm2-135m-instruct", description="Model on hindi-llm-service for English when no OpenAI key is set"
    )
    openai_api_key: str = Field(default="", description="Enables OpenAI for English stories")
    openai_base_url: str = Field(default="", description="Override for OpenAI's API base URL (proxies, tests)")
    english_model: str = Field(default="gpt-4o", description="OpenAI model for English stories")
    max_story_tokens: int = Field(default=2048, ge=16, description="Upper bound on tokens generated per story")
    hindi_tokens_per_word: float = Field(
        default=2.0,
        gt=0,
        le=16,
        description="Tokens the Hindi model spends per word, to turn the age group's word budget into max_tokens "
        "(offline Gemma 3 270M: ~1.6; Llama 3.2 3B: ~3)",
    )
    temperature: float = Field(default=0.8, description="Sampling temperature for stories")
    local_repetition_penalty: float = Field(
        default=1.05,
        gt=0,
        le=2,
        description="Asked of hindi-llm-service (our own models only): >1 keeps a small model out of loops; 1 turns it off",
    )
    top_p: float = Field(default=0.95, description="Nucleus sampling for stories")
    first_token_timeout_seconds: float = Field(
        default=60.0, description="How long a provider may take to its first token before the next one is tried"
    )
    token_timeout_seconds: float = Field(default=60.0, description="Longest silence between tokens")
    max_concurrent_generations_hindi_llm: int = Field(
        default=16,
        ge=1,
        description="Stories this process has hindi-llm-service write at once (both languages); more are 503 + Retry-After "
        "before any model call. Keep replicas × this within what the model server admits",
    )
    max_concurrent_generations_openai: int = Field(
        default=64, ge=1, description="Stories this process has OpenAI write at once; more go to the next route, else 503"
    )
    illustration_deadline_seconds: float = Field(
        default=60.0, ge=0, description="How long the stream stays open after `story.completed` for `story.image` events (0: none)"
    )
    ping_interval_seconds: float = Field(default=15.0, description="`: ping` comment interval on idle streams")

    database_url: str = Field(
        default="sqlite:///.data/story.db",
        description="The outbox and idempotency keys: postgresql://… in production; the SQLite default is relative to the cwd",
    )
    history_timeout_seconds: float = Field(default=5.0, gt=0, description="How long one delivery to history-service may take")
    outbox_poll_seconds: float = Field(default=2.0, gt=0, description="How often the outbox worker looks for stories to deliver")
    outbox_retention_hours: float = Field(
        default=25.0, ge=24, description="How long delivered stories stay in the outbox (Idempotency-Key replays need 24 h)"
    )
    outbox_max_delivery_hours: float = Field(
        default=168.0,
        gt=0,
        description="How long after it was written a story is still sent to history-service; after that it is dead-lettered "
        "(kept, not sent). Keep it below history-service's `HISTORY_TOMBSTONE_RETENTION_HOURS` (192)",
    )
    idempotency_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        description="How long an `Idempotency-Key` stays taken by a story that is not moving: renewed every third of it while "
        "the request or its stream runs; a client that left before the stream started can retry with the key after it",
    )

    # Account deletion (account_deletion.py): the job deletes the Firebase user, so this service holds admin credentials.
    firebase_credentials_needed_for: ClassVar[str] = "account deletion deletes Firebase users"
    account_deletion_poll_seconds: float = Field(default=2.0, gt=0, description="How often the account-deletion worker looks for due jobs")
    account_deletion_resweep_seconds: float = Field(
        default=600.0,
        ge=0,
        description="After the first pass over every service, how long until the second (what requests already accepted "
        "wrote meanwhile): above the gateway's token-cache time plus the longest story",
    )
    account_deletion_call_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long one service (or Firebase) may take to answer one deletion step"
    )

    def secret_fields(self) -> tuple[str, ...]:
        return (*super().secret_fields(), "openai_api_key", "database_url")
