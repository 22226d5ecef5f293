"""media-service settings (env prefix `MEDIA_`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from storyscape_common.settings import ServiceSettings

MIN_SIGNING_SECRET_LENGTH = 32
# Used only when the environment is development and no secret is set; links signed with it are forgeable.
DEVELOPMENT_SIGNING_SECRET = "development-only-media-url-signing-key"
NOTO_DIR = "/usr/share/fonts/truetype/noto"  # where Debian's fonts-noto-core and fonts-noto-color-emoji install


class Settings(ServiceSettings):
    """Where media bytes live and how their URLs are made."""

    model_config = SettingsConfigDict(env_prefix="MEDIA_", env_file=".env", extra="ignore", env_nested_delimiter="__")

    service_name: str = "media-service"
    port: int = 8002

    object_store: Literal["local", "s3"] = Field(default="local", description="Which object store holds media")

    local_dir: str = Field(default=".data/media", description="Directory of the local store, relative to the cwd")
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Prefix of local-store URLs (the gateway, which routes to us)"
    )
    url_signing_secret: str = Field(
        default="",
        repr=False,
        description="HMAC-SHA256 key that signs local-store URLs; left empty, development uses a fixed key",
    )

    s3_bucket: str = "storyscape-media"
    s3_region: str = "us-east-1"
    s3_endpoint_url: str | None = Field(default=None, description="Only for S3-compatible servers (MiniStack)")
    s3_access_key_id: str = Field(default="", repr=False, description="Empty: the default AWS credential chain")
    s3_secret_access_key: str = Field(default="", repr=False)
    s3_create_bucket: bool = Field(default=False, description="Create the bucket at start-up if it is missing")
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    s3_max_attempts: int = Field(default=3, ge=1, le=10, description="Tries per S3 request, first one included")

    database_url: str = Field(
        default="sqlite:///.data/media.db",
        description="postgresql://… in production; the SQLite default is relative to the working directory",
    )
    url_expiry_s: int = Field(default=3600, ge=60, le=7 * 24 * 3600, description="Lifetime of media URLs handed out")

    workers: int = Field(default=2, ge=0, le=32, description="Job worker tasks per process (SQLite: at most 1); 0 runs none")
    job_max_attempts: int = Field(default=5, ge=1, le=20, description="Tries per job before it is failed")
    job_backoff_s: float = Field(default=2.0, gt=0, description="Delay before the 2nd try; doubles each try")
    job_backoff_max_s: float = Field(default=300.0, gt=0, description="Longest delay between tries")
    job_lease_s: float = Field(default=60.0, ge=1, description="A claim not renewed for this long is re-run (crash recovery)")
    job_poll_s: float = Field(default=1.0, gt=0, description="How often idle workers look for jobs other processes wrote")
    upload_max_age_s: float = Field(
        default=3600.0, gt=0, description="An uploaded photo no saved story claimed is deleted once this old (blocked or abandoned)"
    )
    upload_sweep_interval_s: float = Field(default=3600.0, gt=0, description="How often the sweeper looks for such photos")

    openai_api_key: str = Field(default="", repr=False, description="Set: OpenAI Images and tts-1-hd; empty: offline providers")
    openai_base_url: str | None = Field(default=None, description="Only for OpenAI-compatible servers (tests)")
    illustrator: Literal["auto", "local", "openai"] = Field(default="auto", description="auto: openai when a key is set")
    narrator: Literal["auto", "espeak", "openai"] = Field(default="auto", description="auto: openai when a key is set")
    image_model: Literal["gpt-image-1", "dall-e-3"] = "gpt-image-1"
    tts_model: str = "tts-1-hd"
    tts_voice: str = "nova"
    emoji_font: str = Field(default=f"{NOTO_DIR}/NotoColorEmoji.ttf", description="Artwork (Debian fonts-noto-color-emoji)")
    latin_font: str = Field(default=f"{NOTO_DIR}/NotoSans-Regular.ttf", description="English captions (fonts-noto-core)")
    devanagari_font: str = Field(default=f"{NOTO_DIR}/NotoSansDevanagari-Regular.ttf", description="Hindi captions (fonts-noto-core)")

    def secret_fields(self) -> tuple[str, ...]:
        return (
            *super().secret_fields(),
            "url_signing_secret",
            "s3_access_key_id",
            "s3_secret_access_key",
            "openai_api_key",
            "database_url",
        )

    @model_validator(mode="after")
    def _check_store_settings(self) -> Settings:
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
            raise ValueError("set both s3_access_key_id and s3_secret_access_key, or neither")
        if self.environment == "development":
            self.url_signing_secret = self.url_signing_secret or DEVELOPMENT_SIGNING_SECRET
            return self
        if self.url_signing_secret == DEVELOPMENT_SIGNING_SECRET:
            raise ValueError(
                f"{self.setting_name('url_signing_secret')} is the built-in development key; links signed with it are forgeable"
            )
        if self.object_store != "local":
            return self
        # An empty or short key would let anyone forge links to every object.
        if len(self.url_signing_secret) < MIN_SIGNING_SECRET_LENGTH:
            raise ValueError(f"url_signing_secret must be at least {MIN_SIGNING_SECRET_LENGTH} characters")
        return self
