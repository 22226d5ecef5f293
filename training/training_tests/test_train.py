"""The three-stage curriculum on a tiny random Llama: learning, chaining, determinism, resuming, QLoRA."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bitsandbytes as bnb
import pytest
import torch

from training.config import StageConfig
from training.train.curriculum import run_curriculum
from training.train.loop import TrainHooks
from training_tests.conftest import PipelineRun
from training_tests.utils.pipeline import adapter_tensors, pipeline_config, same_tensors, train_until

STAGES = ("stage1", "stage2", "stage3")


def metric_rows(run_dir: Path, stage: str) -> list[dict[str, float]]:
    lines = (run_dir / "stages" / stage / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def copy_prepared_data(source: Path, run_dir: Path) -> None:
    shutil.copytree(source / "data", run_dir / "data")


def test_each_stage_logs_its_steps_and_the_loss_goes_down(pipeline: PipelineRun) -> None:
    for stage in STAGES:
        rows = metric_rows(pipeline.config.run_dir, stage)
        assert [row["step"] for row in rows] == list(range(1, len(rows) + 1)) and len(rows) == 4
        assert {"step", "loss", "lr", "tokens_per_s", "elapsed"} <= rows[0].keys()
        assert all(row["tokens_per_s"] > 0 for row in rows)
    first_stage = metric_rows(pipeline.config.run_dir, "stage1")
    assert first_stage[-1]["loss"] < first_stage[0]["loss"] - 0.1


def test_each_stage_has_its_own_learning_rate_schedule(pipeline: PipelineRun) -> None:
    for stage in pipeline.config.stages:
        rates = [row["lr"] for row in metric_rows(pipeline.config.run_dir, stage.name)]
        assert max(rates) == pytest.approx(stage.learning_rate)
        assert rates[-1] < rates[0]


def test_stage_two_and_three_start_from_the_previous_stages_saved_adapter(pipeline: PipelineRun) -> None:
    starts = pipeline.starts.weights
    for previous, stage in (("stage1", "stage2"), ("stage2", "stage3")):
        saved = adapter_tensors(pipeline.config, previous)
        assert same_tensors(starts[stage], saved)
    # ... and stage 1 really moved away from the fresh LoRA it started from.
    assert not same_tensors(starts["stage1"], adapter_tensors(pipeline.config, "stage1"))


def test_two_runs_with_the_same_seed_give_identical_adapters(pipeline: PipelineRun, tmp_path: Path, tiny_model_dir: Path) -> None:
    config = pipeline_config(tmp_path / "again", model_dir=tiny_model_dir)
    copy_prepared_data(pipeline.config.run_dir, config.run_dir)
    run_curriculum(config)
    for stage in STAGES:
        assert same_tensors(adapter_tensors(config, stage), adapter_tensors(pipeline.config, stage))


def test_an_interrupted_run_resumes_from_its_checkpoint_and_ends_with_the_same_weights(
    pipeline: PipelineRun, tmp_path: Path, tiny_model_dir: Path
) -> None:
    config = pipeline_config(tmp_path / "interrupted", model_dir=tiny_model_dir)
    copy_prepared_data(pipeline.config.run_dir, config.run_dir)
    train_until(config, stage="stage2", step=3)  # checkpoints every 2 steps: the last one is at step 2
    assert not (config.run_dir / "stages" / "stage2" / "done.json").exists()

    resumed = run_curriculum(config)
    by_stage = {summary["stage"]: summary for summary in resumed["stages"]}
    assert by_stage["stage1"].get("skipped") is True
    assert by_stage["stage2"]["resumed_from_step"] == 2
    assert by_stage["stage3"]["resumed_from_step"] == 0
    assert [row["step"] for row in metric_rows(config.run_dir, "stage2")] == [1, 2, 3, 4]
    for stage in STAGES:
        assert same_tensors(adapter_tensors(config, stage), adapter_tensors(pipeline.config, stage))


def test_a_rerun_of_a_finished_run_trains_nothing(pipeline: PipelineRun) -> None:
    result = run_curriculum(pipeline.config, hooks=TrainHooks(on_step_end=lambda stage, step: pytest.fail("trained")))
    assert all(summary.get("skipped") for summary in result["stages"])


def test_qlora_trains_lora_on_an_nf4_quantised_base(pipeline: PipelineRun, tmp_path: Path, tiny_model_dir: Path) -> None:
    config = pipeline_config(tmp_path / "qlora", model_dir=tiny_model_dir, model={"quantization": "nf4"})
    copy_prepared_data(pipeline.config.run_dir, config.run_dir)
    seen: list[tuple[int, set[str | None], bool]] = []

    def inspect(stage: StageConfig, model: torch.nn.Module) -> None:
        quantised = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]  # type: ignore[attr-defined]
        trainable = {name for name, p in model.named_parameters() if p.requires_grad}
        quant_types: set[str | None] = {getattr(q.weight, "quant_type", None) for q in quantised}
        seen.append((len(quantised), quant_types, all("lora_" in n for n in trainable)))

    run_curriculum(config, hooks=TrainHooks(on_stage_start=inspect))
    assert seen[0][0] == 14 and seen[0][1] == {"nf4"} and seen[0][2]  # 7 projections x 2 layers
    rows = metric_rows(config.run_dir, "stage1")
    assert rows[-1]["loss"] < rows[0]["loss"]


def test_a_stage_finished_with_other_settings_is_not_silently_reused(pipeline: PipelineRun, tiny_model_dir: Path) -> None:
    changed = pipeline_config(
        pipeline.config.run_dir,
        model_dir=tiny_model_dir,
        stages=[{**stage.model_dump(), "learning_rate": stage.learning_rate * 2} for stage in pipeline.config.stages],
    )
    with pytest.raises(ValueError, match="other settings"):
        run_curriculum(changed)
