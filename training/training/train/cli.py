"""`python -m training train --config <yaml>`."""

from __future__ import annotations

from typing import Any

from training.config import TrainingConfig
from training.train.curriculum import run_curriculum


def run_train(config: TrainingConfig) -> dict[str, Any]:
    """Run (or resume) the three-stage curriculum under config.run_dir/stages/."""
    return run_curriculum(config)
