"""The whole pipeline on the tiny random Llama: a config for a test's folder, and train runs with hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from training.config import StageConfig, TrainingConfig
from training.train.curriculum import run_curriculum
from training.train.loop import TrainHooks
from training.train.model import lora_weights
from training_tests.utils.corpus import SEED_DIR, tiny_config

CORPUS = [SEED_DIR / "hi_part_a.jsonl", SEED_DIR / "hi_part_b.jsonl"]


class Interrupted(Exception):
    """Raised from a step hook to stop a run the way a crash or Ctrl-C would."""


def pipeline_config(run_dir: Path, *, model_dir: Path, **sections: Any) -> TrainingConfig:
    model = {"base": str(model_dir), **sections.pop("model", {})}
    export = {"out_dir": str(run_dir / "exported"), **sections.pop("export", {})}
    return tiny_config(run_dir, sources=CORPUS, model=model, export=export, **sections)


@dataclass
class StageStarts:
    """The LoRA tensors each stage started from, as the trainer held them."""

    weights: dict[str, dict[str, torch.Tensor]] = field(default_factory=dict)

    def record(self, stage: StageConfig, model: Any) -> None:
        self.weights[stage.name] = lora_weights(model)


def train_with_starts(config: TrainingConfig) -> tuple[dict[str, Any], StageStarts]:
    starts = StageStarts()
    return run_curriculum(config, hooks=TrainHooks(on_stage_start=starts.record)), starts


def train_until(config: TrainingConfig, *, stage: str, step: int) -> None:
    """Train, and stop right after `step` of `stage` finished, as if the machine went down."""

    def stop(current: StageConfig, done: int) -> None:
        if current.name == stage and done == step:
            raise Interrupted(f"{stage} step {step}")

    try:
        run_curriculum(config, hooks=TrainHooks(on_step_end=stop))
    except Interrupted:
        return
    raise AssertionError("the run was not interrupted")


def adapter_tensors(config: TrainingConfig, stage: str) -> dict[str, torch.Tensor]:
    return load_file(str(config.run_dir / "stages" / stage / "adapter" / "adapter_model.safetensors"))


def same_tensors(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> bool:
    return first.keys() == second.keys() and all(torch.equal(first[name], second[name]) for name in first)
