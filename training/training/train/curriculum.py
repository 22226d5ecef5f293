"""The three stages in order: stage k starts from stage k-1's saved adapter; finished stages are skipped on a rerun."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from peft import PeftModel

from training.config import StageConfig, TrainingConfig
from training.dataset.corpus import read_jsonl
from training.train.checkpoint import StagePaths
from training.train.examples import render_example
from training.train.loop import StageRun, TrainHooks, train_stage
from training.train.model import load_lora_weights, load_tokenizer, lora_weights, trainable_model
from training.train.plan import stage_records, step_plan


def stage_paths(config: TrainingConfig, stage: StageConfig) -> StagePaths:
    return StagePaths(config.run_dir / "stages" / stage.name)


def weights_digest(weights: dict[str, torch.Tensor]) -> str:
    """A SHA-256 over the adapter tensors (name order), to show which weights a stage started from."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        digest.update(name.encode() + b"\0" + weights[name].float().numpy().tobytes())
    return digest.hexdigest()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def finished_summary(paths: StagePaths, stage: StageConfig) -> dict[str, Any] | None:
    """A finished stage's summary, or None; a finished stage trained with other settings is an error, not a skip."""
    if not paths.done.is_file():
        return None
    summary: dict[str, Any] = json.loads(paths.done.read_text(encoding="utf-8"))
    if summary["config"] != stage.model_dump(mode="json"):
        raise ValueError(f"stage {stage.name} finished with other settings in {paths.root}: use a new run_dir")
    return summary


def loss_summary(metrics: Path) -> dict[str, Any]:
    """Mean loss over the first and the last quarter of the stage's steps, and its mean throughput."""
    rows = [json.loads(line) for line in metrics.read_text(encoding="utf-8").splitlines() if line.strip()]
    window = max(1, len(rows) // 4)

    def mean_loss(part: list[dict[str, Any]]) -> float:
        return round(float(sum(row["loss"] for row in part)) / len(part), 6)

    return {
        "first_loss": mean_loss(rows[:window]),
        "last_loss": mean_loss(rows[-window:]),
        "mean_tokens_per_s": round(sum(row["tokens_per_s"] for row in rows) / len(rows), 2),
    }


def run_stage(
    config: TrainingConfig, index: int, model: PeftModel, tokenizer: Any, *, previous: StagePaths | None, hooks: TrainHooks
) -> dict[str, Any]:
    """Load the previous stage's adapter (stage 1 keeps the seeded fresh LoRA), then train; writes done.json last."""
    stage, paths = config.stages[index], stage_paths(config, config.stages[index])
    paths.root.mkdir(parents=True, exist_ok=True)
    seed_everything(config.seed + index)
    if previous is not None:
        load_lora_weights(model, previous.adapter)
    initial = weights_digest(lora_weights(model))
    records = stage_records(read_jsonl(config.stage_file(stage.name)), stage=stage, seed=config.seed)
    examples = [render_example(tokenizer, record, max_length=stage.max_length) for record in records]
    plan = step_plan(len(examples), stage=stage, seed=config.seed)
    run = StageRun(stage=stage, paths=paths, examples=examples, plan=plan, pad_id=tokenizer.pad_token_id, hooks=hooks)
    result = train_stage(run, model)
    model.save_pretrained(str(paths.adapter))
    summary = {
        "stage": stage.name,
        "config": stage.model_dump(mode="json"),
        "examples": len(examples),
        "story_tokens": sum(example.story_tokens for example in examples),
        "started_from": config.stages[index - 1].name if index else "fresh LoRA",
        "initial_weights_sha256": initial,
        "final_weights_sha256": weights_digest(lora_weights(model)),
        **result,
        **loss_summary(paths.metrics),
    }
    paths.done.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def run_curriculum(config: TrainingConfig, *, hooks: TrainHooks | None = None) -> dict[str, Any]:
    """Train every unfinished stage in order; the base model loads only when a stage still has work."""
    tokenizer, model = load_tokenizer(config.model), None
    summaries: list[dict[str, Any]] = []
    previous: StagePaths | None = None
    for index, stage in enumerate(config.stages):
        paths = stage_paths(config, stage)
        summary = finished_summary(paths, stage)
        if summary is None:
            if model is None:
                model = trainable_model(config.model, seed=config.seed)
            summary = run_stage(config, index, model, tokenizer, previous=previous, hooks=hooks or TrainHooks())
        else:
            summary = {**summary, "skipped": True}
        summaries.append(summary)
        previous = paths
    return {"run_dir": str(config.run_dir), "stages": summaries}
