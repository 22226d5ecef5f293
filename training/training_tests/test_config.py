"""The shipped configs load and say what the issue asks; paths resolve from the project root; bad configs fail."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from training.config import load_config
from training_tests.utils.corpus import TINY_CONFIG, TRAINING_DIR

CONFIGS = TRAINING_DIR / "configs"
PROJECT_ROOT = TRAINING_DIR.parent


@pytest.mark.parametrize("name", ["cpu-smollm2", "gpu-llama-3.2-3b", "tiny-test"])
def test_shipped_configs_load_with_three_stages(name: str) -> None:
    config = load_config(CONFIGS / f"{name}.yaml")
    assert [stage.name for stage in config.stages] == ["stage1", "stage2", "stage3"]
    assert config.run_dir.is_relative_to(PROJECT_ROOT / "training" / "runs")
    assert all(path.is_file() for path in config.data.sources)


def test_cpu_config_is_a_small_hindi_qlora_run() -> None:
    config = load_config(CONFIGS / "cpu-smollm2.yaml")
    assert config.data.language == "hi"
    assert config.model.base.endswith(".models/smollm2-135m-instruct")
    assert (config.model.quantization, config.model.compute_dtype, config.model.lora.r) == ("nf4", "float32", 8)
    # The curriculum starts gently: stage 1 (short, simple stories) has the lowest learning rate.
    rates = [stage.learning_rate for stage in config.stages]
    assert rates[0] < min(rates[1:])
    # SmolLM2 spends ~450 tokens on the Hindi prompt: the window must leave room for the story, and stay small.
    assert all(576 <= stage.max_length <= 768 and stage.max_examples for stage in config.stages)
    assert config.scrape is not None and config.synthetic is not None


def test_gpu_config_is_llama_in_bfloat16() -> None:
    config = load_config(CONFIGS / "gpu-llama-3.2-3b.yaml")
    assert config.model.base == "meta-llama/Llama-3.2-3B-Instruct"
    assert (config.model.quantization, config.model.compute_dtype, config.model.lora.r) == ("nf4", "bfloat16", 16)
    assert all(1024 <= stage.max_length <= 2048 for stage in config.stages)
    assert config.stages[0].learning_rate < config.stages[1].learning_rate


def test_paths_resolve_from_the_project_root_whatever_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(CONFIGS / "cpu-smollm2.yaml")
    assert config.data.sources[0] == PROJECT_ROOT / "training" / "data" / "seed" / "hi_part_a.jsonl"
    assert config.export.out_dir == PROJECT_ROOT / "hindi-llm-service" / "adapters"


def test_a_config_outside_the_project_resolves_from_its_own_folder(tmp_path: Path) -> None:
    raw = yaml.safe_load(TINY_CONFIG.read_text(encoding="utf-8"))
    raw["run_dir"] = "runs/here"
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert load_config(tmp_path / "mine.yaml").run_dir == tmp_path / "runs" / "here"


def test_overrides_reach_nested_values() -> None:
    config = load_config(TINY_CONFIG, overrides=["stages.1.epochs=3", "data.language=en", "evaluate.num_samples=5"])
    assert config.stages[1].epochs == 3 and config.data.language == "en" and config.evaluate.num_samples == 5


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("stages=[{name: a, learning_rate: 0.1}]", "exactly three stages"),
        ("data.stage_fractions=[0.5, 0.4, 0.4]", "summing to 1"),
        ("stages.0.learning_rate=1.0", "lowest learning rate"),
        ("model.quantization=int8", "nf4"),
        ("data.unknown_setting=1", "Extra inputs"),
    ],
)
def test_bad_configs_are_refused(override: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_config(TINY_CONFIG, overrides=[override])
