"""One pydantic model for a whole training YAML: run folder, data, model, the three stages, evaluation, export,
and the optional scrape and synthetic sections.

Relative paths in a YAML file resolve against the project root: the nearest folder above the YAML file that holds
`training/pyproject.toml` (so `python -m training ... --config training/configs/x.yaml` works from any directory),
or the YAML file's own folder when there is none (a test's throwaway config).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from storyscape_common.catalog import AGE_GROUPS

Language = Literal["en", "hi"]


def _resolve(value: Path, info: ValidationInfo) -> Path:
    root = (info.context or {}).get("root")
    if value.is_absolute() or root is None:
        return value
    return (Path(root) / value).resolve()


# A path the loader makes absolute against the project root.
ProjectPath = Annotated[Path, AfterValidator(_resolve)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComplexityWeights(StrictModel):
    """Weights of the z-scored complexity features (see training.dataset.complexity)."""

    length: float = 0.4
    sentence_length: float = 0.25
    rarity: float = 0.25
    dialogue: float = 0.1


class DataConfig(StrictModel):
    sources: list[ProjectPath] = Field(min_length=1)
    language: Language = "hi"
    # Share of letters in the expected script; below it a record is dropped as the other language.
    min_devanagari_share: float = Field(0.85, ge=0, le=1)
    min_latin_share: float = Field(0.85, ge=0, le=1)
    min_words: int = Field(40, ge=1)
    near_duplicate_threshold: float = Field(0.8, gt=0, le=1)
    shingle_size: int = Field(3, ge=1)
    minhash_permutations: int = Field(128, ge=16)
    eval_fraction: float = Field(0.12, ge=0, lt=1)
    complexity_weights: ComplexityWeights = Field(default_factory=ComplexityWeights)
    stage_fractions: tuple[float, float, float] = (0.34, 0.33, 0.33)

    @field_validator("stage_fractions")
    @classmethod
    def _fractions_sum_to_one(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        if any(part <= 0 for part in value) or abs(sum(value) - 1.0) > 1e-6:
            raise ValueError("stage_fractions must be three positive numbers summing to 1")
        return value


class LoraConfig(StrictModel):
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])


class ModelConfig(StrictModel):
    # A local folder (resolved against the project root when it exists there) or a Hugging Face model id.
    base: str
    quantization: Literal["nf4", "none"] = "nf4"
    compute_dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    lora: LoraConfig = Field(default_factory=LoraConfig)
    # The Hugging Face id written into the exported adapter and manifest; defaults to `base` (or its folder name).
    base_id: str | None = None
    # Trades compute for memory: recompute activations in the backward pass (long sequences on a GPU).
    gradient_checkpointing: bool = False

    @field_validator("base")
    @classmethod
    def _local_base_is_absolute(cls, value: str, info: ValidationInfo) -> str:
        root = (info.context or {}).get("root")
        if root is not None and not Path(value).is_absolute() and (Path(root) / value).exists():
            return str((Path(root) / value).resolve())
        return value


class StageConfig(StrictModel):
    name: str
    learning_rate: float = Field(gt=0)
    epochs: int = Field(1, ge=1)
    max_length: int = Field(512, ge=16)
    batch_size: int = Field(4, ge=1)
    grad_accum: int = Field(1, ge=1)
    # Caps the examples a stage sees (time budget on CPU); null = the whole stage file.
    max_examples: int | None = Field(None, ge=1)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    max_grad_norm: float = Field(1.0, gt=0)
    # A resumable checkpoint every this many optimizer steps (and always at the stage's end).
    save_every_steps: int = Field(20, ge=1)


class EvaluateConfig(StrictModel):
    max_new_tokens: int = Field(128, ge=1)
    # Held-out requests generated for (the first N), each `samples_per_prompt` times (sampled with the same seed).
    num_samples: int = Field(8, ge=1)
    samples_per_prompt: int = Field(1, ge=1)
    temperature: float = Field(0.0, ge=0)
    top_p: float = Field(1.0, gt=0, le=1)
    # >1 makes tokens already in the prompt or story less likely (HF/vLLM semantics), as story-service asks of
    # the offline model (STORY_LOCAL_REPETITION_PENALTY), so the report scores what readers get.
    repetition_penalty: float = Field(1.0, gt=0)
    batch_size: int = Field(4, ge=1)
    # Token window for held-out perplexity; null = the last stage's max_length.
    max_length: int | None = Field(None, ge=16)
    # Bits per character are measured on the first this-many characters of every held-out answer.
    bpc_chars: int = Field(600, ge=20)
    # Which models to score: "base" and stage names; null = the base and every stage.
    models: list[str] | None = None
    # More adapters (trained on the same base) scored beside them: name -> adapter folder.
    extra_adapters: dict[str, ProjectPath] = Field(default_factory=dict)
    # The Hunspell dictionary (without .aff/.dic) that word validity uses; the training stories' words are added.
    dictionary: Path = Path("/usr/share/hunspell/hi_IN")
    # Repetition: the share of a story's words inside word n-grams of this length that occur twice.
    repeat_n: int = Field(8, ge=2)


class ExportConfig(StrictModel):
    name: str = "storyscape-hi"
    merge: bool = False
    out_dir: ProjectPath = Path(".models/adapters")


class ScrapeSource(StrictModel):
    name: str
    start_urls: list[str] = Field(min_length=1)
    # Only URLs starting with one of these are fetched or followed (redirect targets included).
    allowed_prefixes: list[str] = Field(min_length=1)
    license: str
    # Simple selectors: `tag`, `.class`, `#id` or `tag.class`; the first match is the story region.
    story_selector: str = "article"
    title_selector: str = "h1"
    follow_links: bool = True
    min_story_chars: int = Field(400, ge=1)
    language: Language = "hi"
    genre: str = "fairy_tale"
    age_group: str = "9-12"

    @field_validator("age_group")
    @classmethod
    def _known_age_group(cls, value: str) -> str:
        if value not in AGE_GROUPS:
            raise ValueError(f"age_group must be one of {AGE_GROUPS}")
        return value


class ScrapeConfig(StrictModel):
    sources: list[ScrapeSource] = Field(min_length=1)
    user_agent: str = "StoryScapeCorpusBot/0.1 (+public-domain children's stories)"
    rate_limit_seconds: float = Field(2.0, ge=0)
    max_pages: int = Field(200, ge=1)
    timeout_seconds: float = Field(20.0, gt=0)
    out: ProjectPath = Path("training/data/scraped/scraped.jsonl")


class SyntheticConfig(StrictModel):
    base_url: str
    model: str
    # The key is read from this environment variable, never from the YAML file.
    api_key_env: str = "SYNTHETIC_API_KEY"
    out: ProjectPath = Path("training/data/synthetic/synthetic.jsonl")
    language: Language = "hi"
    age_groups: list[str] = Field(default_factory=lambda: list(AGE_GROUPS))
    # Story ideas per genre; genres without a list get ideas from `idea_templates`.
    ideas: dict[str, list[str]] = Field(default_factory=dict)
    genres: list[str] = Field(default_factory=list)
    idea_templates: list[str] = Field(default_factory=list)
    stories_per_idea: int = Field(1, ge=1)
    max_stories: int | None = Field(None, ge=1)
    concurrency: int = Field(4, ge=1)
    temperature: float = Field(0.9, ge=0)
    max_tokens: int | None = Field(None, ge=1)
    timeout_seconds: float = Field(120.0, gt=0)
    # The openai client's own retries (with backoff) before a story counts as failed for this run.
    max_retries: int = Field(2, ge=0)


class TrainingConfig(StrictModel):
    run_dir: ProjectPath
    seed: int = 1234
    data: DataConfig
    model: ModelConfig
    stages: list[StageConfig]
    evaluate: EvaluateConfig = Field(default_factory=EvaluateConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)
    scrape: ScrapeConfig | None = None
    synthetic: SyntheticConfig | None = None

    @model_validator(mode="after")
    def _three_named_stages(self) -> TrainingConfig:
        names = [stage.name for stage in self.stages]
        if len(names) != 3 or len(set(names)) != 3:
            raise ValueError("stages must list exactly three stages with distinct names")
        if self.stages[0].learning_rate >= min(stage.learning_rate for stage in self.stages[1:]):
            raise ValueError("stage 1 must have the lowest learning rate (the curriculum starts gently)")
        return self

    @property
    def prepared_dir(self) -> Path:
        """Where `prepare` writes and train/evaluate/export read."""
        return self.run_dir / "data"

    def stage_file(self, stage_name: str) -> Path:
        return self.prepared_dir / f"{stage_name}.jsonl"

    @property
    def eval_file(self) -> Path:
        return self.prepared_dir / "eval.jsonl"


def project_root_for(config_path: Path) -> Path:
    """The nearest folder above `config_path` holding `training/pyproject.toml`, else the file's own folder."""
    start = config_path.resolve().parent
    for folder in (start, *start.parents):
        if (folder / "training" / "pyproject.toml").is_file():
            return folder
    return start


def apply_overrides(raw: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Set `dotted.key=value` pairs (values parsed as YAML; list items by index, e.g. `stages.0.epochs=2`)."""
    result = copy.deepcopy(raw)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ValueError(f"override {item!r} is not key=value")
        *parents, last = key.split(".")
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        value = yaml.safe_load(text)
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return result


def merge_mappings(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """A deep merge: mappings merge key by key, anything else in `update` replaces."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_mappings(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(
    path: str | Path,
    *,
    overrides: Iterable[str] = (),
    updates: Mapping[str, Any] | None = None,
    root: Path | None = None,
) -> TrainingConfig:
    """Read a YAML config, apply deep `updates` then `key=value` overrides, and resolve relative paths."""
    config_path = Path(path)
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    if updates:
        raw = merge_mappings(raw, updates)
    raw = apply_overrides(raw, overrides)
    context = {"root": root if root is not None else project_root_for(config_path)}
    return TrainingConfig.model_validate(raw, context=context)
