"""`python -m training export --config <yaml>`: the last stage's adapter as a servable PEFT folder + a manifest.

Writes <export.out_dir>/<export.name>/: adapter_config.json, adapter_model.safetensors, storyscape_manifest.json,
eval_report.md (when evaluate ran) and, with `merge: true`, merged/ (the adapter folded into a full-precision base).
hindi-llm-service loads the folder by name (settings `adapters`); vLLM with `--lora-modules <name>=<folder>`.
"""

from __future__ import annotations

import json
import platform
import shutil
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from training.config import TrainingConfig
from training.train.checkpoint import StagePaths
from training.train.curriculum import stage_paths

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
MANIFEST = "storyscape_manifest.json"
# The Llama projections vLLM applies LoRA to (it packs q/k/v and gate/up itself); ranks its --max-lora-rank accepts.
VLLM_TARGET_MODULES = frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"})
VLLM_MAX_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)
LIBRARIES = ("torch", "transformers", "peft", "bitsandbytes", "accelerate", "safetensors", "sacrebleu", "rouge-score")


def base_id(config: TrainingConfig) -> str:
    """The id the adapter names as its base: `model.base_id`, else a hub id as given, else the local folder's name."""
    if config.model.base_id:
        return config.model.base_id
    base = Path(config.model.base)
    return base.name if base.is_absolute() else config.model.base


def vllm_max_lora_rank(adapter_config: dict[str, Any]) -> int:
    """The smallest `--max-lora-rank` that serves this adapter; refuses what vLLM cannot load."""
    modules = set(adapter_config.get("target_modules") or [])
    if not modules <= VLLM_TARGET_MODULES:
        raise ValueError(f"vLLM serves LoRA on {sorted(VLLM_TARGET_MODULES)} only, not {sorted(modules - VLLM_TARGET_MODULES)}")
    if adapter_config.get("modules_to_save"):
        raise ValueError("vLLM cannot load an adapter with modules_to_save")
    rank = int(adapter_config["r"])
    fitting = [limit for limit in VLLM_MAX_LORA_RANKS if limit >= rank]
    if not fitting:
        raise ValueError(f"LoRA rank {rank} exceeds vLLM's largest --max-lora-rank {VLLM_MAX_LORA_RANKS[-1]}")
    return fitting[0]


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def final_adapter(config: TrainingConfig) -> StagePaths:
    paths = [stage_paths(config, stage) for stage in config.stages]
    unfinished = [stage.name for stage, path in zip(config.stages, paths, strict=True) if not path.done.is_file()]
    if unfinished:
        raise FileNotFoundError(f"stages {', '.join(unfinished)} have not finished under {config.run_dir}: run `train` first")
    return paths[-1]


def write_adapter(source: Path, target: Path, *, base: str) -> dict[str, Any]:
    """Copy the PEFT files, naming the base model by its id (the training machine's path means nothing elsewhere)."""
    target.mkdir(parents=True)
    adapter_config: dict[str, Any] = json.loads((source / ADAPTER_FILES[0]).read_text(encoding="utf-8"))
    adapter_config.update(base_model_name_or_path=base, inference_mode=True)
    (target / ADAPTER_FILES[0]).write_text(json.dumps(adapter_config, indent=2) + "\n", encoding="utf-8")
    shutil.copyfile(source / ADAPTER_FILES[1], target / ADAPTER_FILES[1])
    return adapter_config


def write_merged(config: TrainingConfig, adapter_dir: Path, target: Path) -> None:
    """The adapter folded into the unquantised base (compute dtype): a plain model folder for any server."""
    from peft import PeftModel

    from training.train.model import load_base_model, load_tokenizer

    merged = PeftModel.from_pretrained(load_base_model(config.model, quantize=False), str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(str(target))
    load_tokenizer(config.model).save_pretrained(str(target))


def build_manifest(config: TrainingConfig, *, adapter_config: dict[str, Any], max_lora_rank: int) -> dict[str, Any]:
    stages = [read_json(stage_paths(config, stage).done) for stage in config.stages]
    report = read_json(config.run_dir / "eval" / "report.json")
    prepared = read_json(config.prepared_dir / "prepare_report.json") or {}
    return {
        "name": config.export.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_model": base_id(config),
        "quantization": config.model.quantization,
        "compute_dtype": config.model.compute_dtype,
        "lora": {
            "r": adapter_config["r"],
            "alpha": adapter_config["lora_alpha"],
            "dropout": adapter_config["lora_dropout"],
            "target_modules": sorted(adapter_config["target_modules"]),
        },
        "seed": config.seed,
        "stages": [
            {
                key: stage[key]
                for key in ("stage", "config", "examples", "story_tokens", "steps", "wall_s", "first_loss", "last_loss", "started_from")
            }
            for stage in stages
        ],
        "data": {"data_hash": prepared.get("data_hash"), "counts": prepared.get("counts", {}).get("per_split")},
        "metrics": report["models"] if report else None,
        "serving": {"vllm_max_lora_rank": max_lora_rank, "merged": config.export.merge},
        "library_versions": library_versions(),
    }


def run_export(config: TrainingConfig) -> dict[str, Any]:
    """Write the export folder afresh: built beside the old one, then swapped in."""
    source = final_adapter(config).adapter
    target = config.export.out_dir / config.export.name
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    adapter_config = write_adapter(source, staging, base=base_id(config))
    max_lora_rank = vllm_max_lora_rank(adapter_config)
    if config.export.merge:
        write_merged(config, source, staging / "merged")
    if (report := config.run_dir / "eval" / "report.md").is_file():
        shutil.copyfile(report, staging / "eval_report.md")
    manifest = build_manifest(config, adapter_config=adapter_config, max_lora_rank=max_lora_rank)
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return {"adapter": str(target), "merged": str(target / "merged") if config.export.merge else None, "vllm_max_lora_rank": max_lora_rank}
