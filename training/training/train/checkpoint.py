"""A stage's files, and resumable checkpoints: adapter + optimizer + scheduler + RNG states + step."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from peft import PeftModel

from training.train.model import load_lora_weights

TRAINER_STATE = "trainer_state.pt"


@dataclass(frozen=True)
class StagePaths:
    root: Path

    @property
    def checkpoint(self) -> Path:
        return self.root / "checkpoint"

    @property
    def adapter(self) -> Path:
        """The stage's final adapter: the next stage starts from it, evaluate scores it, export ships the last one."""
        return self.root / "adapter"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def done(self) -> Path:
        """Written last: its presence means the stage finished and a rerun skips it."""
        return self.root / "done.json"


def rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(
    directory: Path, *, model: PeftModel, optimizer: torch.optim.Optimizer, scheduler: Any, step: int, elapsed: float
) -> None:
    """Write into a sibling folder, then swap it in: a crash mid-save leaves the previous checkpoint whole."""
    staging, old = directory.with_name(directory.name + ".tmp"), directory.with_name(directory.name + ".old")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(str(staging))
    state = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng_state()}
    torch.save(state, staging / TRAINER_STATE)
    (staging / "state.json").write_text(json.dumps({"step": step, "elapsed": elapsed}) + "\n", encoding="utf-8")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    staging.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(directory: Path, *, model: PeftModel, optimizer: torch.optim.Optimizer, scheduler: Any) -> tuple[int, float]:
    """Restore everything `save_checkpoint` wrote; returns (step, elapsed seconds before the interruption)."""
    load_lora_weights(model, directory)
    # Our own file, and it holds numpy RNG arrays, which the weights-only unpickler refuses.
    state = torch.load(directory / TRAINER_STATE, map_location="cpu", weights_only=False)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    restore_rng(state["rng"])
    saved = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    return int(saved["step"]), float(saved["elapsed"])


def keep_metrics_through(path: Path, step: int) -> None:
    """Drop metric lines written after the checkpoint a resumed stage restarts from."""
    if not path.is_file():
        return
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [line for line in lines if json.loads(line)["step"] <= step]
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
