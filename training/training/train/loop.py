"""One stage's training loop: AdamW, linear warmup/decay, gradient accumulation and clipping, checkpoints, metrics."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from peft import PeftModel
from tqdm import tqdm

from training.config import StageConfig
from training.train.checkpoint import StagePaths, keep_metrics_through, load_checkpoint, save_checkpoint
from training.train.examples import Batch, Example, collate
from training.train.loss import story_nll
from training.train.model import device
from training.train.schedule import linear_warmup_decay


@dataclass(frozen=True)
class TrainHooks:
    """Callbacks for tests and tools: see the model as a stage starts; stop a run after a step (an interruption)."""

    on_stage_start: Callable[[StageConfig, PeftModel], None] | None = None
    on_step_end: Callable[[StageConfig, int], None] | None = None


@dataclass
class StageRun:
    stage: StageConfig
    paths: StagePaths
    examples: list[Example]
    plan: list[list[list[int]]]
    pad_id: int
    hooks: TrainHooks = field(default_factory=TrainHooks)


@dataclass(frozen=True)
class StepStats:
    loss: float
    tokens: int
    grad_norm: float


def optimizer_step(model: PeftModel, optimizer: Any, scheduler: Any, batches: list[Batch], *, max_grad_norm: float) -> StepStats:
    """Accumulate the micro-batches' gradients as one token-weighted mean, clip, step."""
    story_tokens = sum(batch.story_tokens for batch in batches)
    total = 0.0
    for batch in batches:
        nll, _ = story_nll(model, batch.to(device()))
        (nll / story_tokens).backward()
        total += float(nll.detach())
    trainable = [p for p in model.parameters() if p.requires_grad]
    grad_norm = float(torch.nn.utils.clip_grad_norm_(trainable, max_grad_norm))
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return StepStats(loss=total / story_tokens, tokens=sum(batch.tokens for batch in batches), grad_norm=grad_norm)


def build_optimizer(model: PeftModel, *, stage: StageConfig, total_steps: int) -> tuple[Any, Any]:
    """A fresh AdamW and schedule per stage: each stage has its own learning rate."""
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=stage.learning_rate, weight_decay=0.0)
    warmup = round(stage.warmup_ratio * total_steps)
    return optimizer, linear_warmup_decay(optimizer, warmup_steps=warmup, total_steps=total_steps)


def resume_or_start(run: StageRun, model: PeftModel, optimizer: Any, scheduler: Any) -> tuple[int, float]:
    """(step, elapsed) from the stage's checkpoint when there is one; a fresh stage starts its metrics file anew."""
    if run.paths.checkpoint.is_dir():
        step, elapsed = load_checkpoint(run.paths.checkpoint, model=model, optimizer=optimizer, scheduler=scheduler)
        keep_metrics_through(run.paths.metrics, step)
        return step, elapsed
    run.paths.metrics.unlink(missing_ok=True)
    return 0, 0.0


def train_stage(run: StageRun, model: PeftModel) -> dict[str, Any]:
    """Train (or finish training) one stage; returns its step count, where it resumed, and its wall time."""
    stage, plan = run.stage, run.plan
    optimizer, scheduler = build_optimizer(model, stage=stage, total_steps=len(plan))
    step, elapsed_before = resume_or_start(run, model, optimizer, scheduler)
    resumed_from = step
    if run.hooks.on_stage_start:
        run.hooks.on_stage_start(stage, model)
    model.train()
    started = time.perf_counter()
    progress = tqdm(total=len(plan), initial=step, desc=stage.name, unit="step", file=sys.stderr, dynamic_ncols=True)
    with progress, run.paths.metrics.open("a", encoding="utf-8") as metrics:
        while step < len(plan):
            step_started, lr = time.perf_counter(), scheduler.get_last_lr()[0]
            batches = [collate([run.examples[i] for i in micro], pad_id=run.pad_id) for micro in plan[step]]
            stats = optimizer_step(model, optimizer, scheduler, batches, max_grad_norm=stage.max_grad_norm)
            step += 1
            now = time.perf_counter()
            tokens_per_s = stats.tokens / max(now - step_started, 1e-9)
            elapsed = elapsed_before + now - started
            row = {
                "step": step,
                "loss": round(stats.loss, 6),
                "lr": float(f"{lr:.6g}"),
                "tokens_per_s": round(tokens_per_s, 2),
                "elapsed": round(elapsed, 3),
                "grad_norm": round(stats.grad_norm, 6),
                "tokens": stats.tokens,
            }
            metrics.write(json.dumps(row) + "\n")
            metrics.flush()
            progress.set_postfix(loss=f"{stats.loss:.3f}", tok_s=f"{tokens_per_s:.0f}")
            progress.update()
            if step % stage.save_every_steps == 0 or step == len(plan):
                save_checkpoint(run.paths.checkpoint, model=model, optimizer=optimizer, scheduler=scheduler, step=step, elapsed=elapsed)
            if run.hooks.on_step_end:
                run.hooks.on_step_end(stage, step)
    return {"steps": len(plan), "resumed_from_step": resumed_from, "wall_s": round(elapsed_before + time.perf_counter() - started, 3)}
