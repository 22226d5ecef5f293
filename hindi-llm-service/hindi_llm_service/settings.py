"""hindi-llm-service settings (env prefix `HINDI_LLM_`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from storyscape_common.settings import ServiceSettings

ADAPTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ADAPTERS_DIR = Path(__file__).resolve().parents[1] / "adapters"
# The offline default base: Gemma 3 270M (base model, Gemma Terms of Use) with our Hindi adapter won the comparison
# in adapters/storyscape-hi/eval_report.md. `python -m hindi_llm_service.prepare_model --model <name>` makes each folder.
DEFAULT_MODEL_PATH = Path(".models/gemma3-270m")
# Our Hindi story adapters (trained and exported by training/), bundled per offline base and chosen by the base
# folder's name, so HINDI_LLM_MODEL_PATH=.models/smollm2-135m-instruct alone selects the other candidate.
BUNDLED_ADAPTERS: dict[str, dict[str, Path]] = {
    "gemma3-270m": {"storyscape-hi": ADAPTERS_DIR / "storyscape-hi"},
    "smollm2-135m-instruct": {"storyscape-hi": ADAPTERS_DIR / "storyscape-hi-smollm2"},
}


class Settings(ServiceSettings):
    """Which model to serve, its LoRA adapters, and how much generation to allow at once."""

    model_config = SettingsConfigDict(env_prefix="HINDI_LLM_", env_file=".env", extra="ignore", env_nested_delimiter="__")

    service_name: str = "hindi-llm-service"
    port: int = 8005
    # A vLLM engine for GPU nodes is a later issue: it will widen this Literal and add a branch in engine.create_engine.
    engine: Literal["transformers"] = "transformers"
    model_path: Path = Field(default=DEFAULT_MODEL_PATH, description="Base model + tokenizer folder")
    model_name: str = Field(default="", description="Model id clients send and /v1/models lists; default: the folder's name")
    adapters: dict[str, Path] = Field(
        default_factory=dict,
        description="LoRA adapter name -> PEFT folder (env: JSON); default: the `storyscape-hi` bundled for the base folder",
    )
    max_concurrent: int = Field(default=4, ge=1, le=64, description="Generations advanced together, token by token")
    max_queued: int = Field(default=32, ge=0, le=1024, description="Requests that may wait for a slot; more get 503")
    default_max_tokens: int = Field(default=512, ge=1)
    max_tokens_limit: int = Field(default=2048, ge=1)
    # One thread: on the 2-core dev box, 2 threads ran 3-4x slower whenever anything else was busy (13 vs 4 tok/s).
    torch_threads: int = Field(default=1, ge=0, description="torch intra-op threads; 0 keeps torch's default")

    @field_validator("model_path")
    @classmethod
    def _resolve_model_path(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("adapters")
    @classmethod
    def _resolve_adapters(cls, value: dict[str, Path]) -> dict[str, Path]:
        for name in value:
            if not ADAPTER_NAME.match(name):
                raise ValueError(f"adapter name {name!r} must be 1-64 letters, digits, '.', '_' or '-'")
        return {name: path.expanduser().resolve() for name, path in value.items()}

    @model_validator(mode="after")
    def _check_limits(self) -> Settings:
        self.model_name = self.model_name or self.model_path.name
        if "adapters" not in self.model_fields_set:  # not configured: the adapter bundled for this base, if any
            self.adapters = dict(BUNDLED_ADAPTERS.get(self.model_path.name, {}))
        if self.model_name in self.adapters:
            raise ValueError("an adapter may not share the base model's name")
        if self.default_max_tokens > self.max_tokens_limit:
            raise ValueError("default_max_tokens exceeds max_tokens_limit")
        return self
