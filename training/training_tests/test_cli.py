"""`python -m training` as a user runs it: from the project root, with a config file and overrides."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from training_tests.utils.corpus import TINY_CONFIG, TRAINING_DIR, seed_stories, write_corpus

PROJECT_ROOT = TRAINING_DIR.parent


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    # From the project root, where the seed-data folder training/data must not shadow the package.
    return subprocess.run(
        [sys.executable, "-m", "training", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("scrape", "synthesize", "prepare", "train", "evaluate", "export", "pipeline"):
        assert command in result.stdout


def test_prepare_runs_from_the_project_root(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", seed_stories("hi_part_b.jsonl", 12))
    raw = yaml.safe_load(TINY_CONFIG.read_text(encoding="utf-8"))
    raw["run_dir"] = "run"
    raw["data"]["sources"] = [str(corpus)]
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    result = run_cli("prepare", "--config", str(tmp_path / "config.yaml"), "--set", "data.eval_fraction=0.25")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"]["per_split"]["eval"] == 3
    assert sum(summary["counts"]["per_split"].values()) == 12
    assert (tmp_path / "run" / "data" / "dataset_card.md").is_file()


def test_a_missing_source_is_an_error(tmp_path: Path) -> None:
    result = run_cli("prepare", "--config", str(TINY_CONFIG), "--set", f"data.sources=[{tmp_path / 'nope.jsonl'}]")
    assert result.returncode != 0
    assert "nope.jsonl does not exist" in result.stderr
