"""Shared fixtures: one tiny random Llama, and one full pipeline run on it (prepare → train → evaluate → export)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from storyscape_devtools.tiny_llama import build_tiny_llama

from training.config import TrainingConfig
from training.dataset.prepare import run_prepare
from training.evaluate.cli import run_evaluate
from training.export import run_export
from training_tests.utils.pipeline import StageStarts, pipeline_config, train_with_starts


@dataclass(frozen=True)
class PipelineRun:
    config: TrainingConfig
    trained: dict[str, Any]
    starts: StageStarts
    evaluated: dict[str, Any]
    exported: dict[str, Any]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("models") / "tiny-llama", seed=0)


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> PipelineRun:
    config = pipeline_config(tmp_path_factory.mktemp("pipeline") / "run", model_dir=tiny_model_dir)
    run_prepare(config)
    trained, starts = train_with_starts(config)
    return PipelineRun(config, trained, starts, run_evaluate(config), run_export(config))
