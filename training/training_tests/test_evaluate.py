"""evaluate: the base model and every stage's adapter, side by side, in report.json and report.md."""

from __future__ import annotations

import json
from typing import Any

from training_tests.conftest import PipelineRun

MODELS = ["base", "stage1", "stage2", "stage3"]
METRICS = {
    "perplexity",
    "bleu",
    "rouge1",
    "rouge2",
    "rougeL",
    "devanagari_purity",
    "distinct_1",
    "distinct_2",
    "length_compliance",
    "mean_words",
    "finished_share",
    "word_validity",
    "bits_per_char",
    "tokens_per_devanagari_char",
    "words_per_s",
    "repeat8_max",
    "repeat8_mean",
    "prompt_adherence",
    "realistic_share",
}


def read_report(pipeline: PipelineRun) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((pipeline.config.run_dir / "eval" / "report.json").read_text(encoding="utf-8"))
    return report


def test_the_report_scores_the_base_model_and_each_stage(pipeline: PipelineRun) -> None:
    report = read_report(pipeline)
    assert list(report["models"]) == MODELS
    for metrics in report["models"].values():
        assert METRICS <= metrics.keys()
        assert 0 <= metrics["bleu"] <= 100 and 0 <= metrics["rougeL"] <= 1 and 0 <= metrics["devanagari_purity"] <= 1
    held_out = (pipeline.config.eval_file).read_text(encoding="utf-8").splitlines()
    assert report["eval_records"] == len(held_out) and report["models"]["base"]["story_tokens"] > 0


def test_training_lowers_held_out_perplexity(pipeline: PipelineRun) -> None:
    models = read_report(pipeline)["models"]
    assert models["stage3"]["perplexity"] < models["stage1"]["perplexity"] < models["base"]["perplexity"]


def test_the_samples_show_every_models_story_for_the_same_request(pipeline: PipelineRun) -> None:
    report = read_report(pipeline)
    assert len(report["samples"]) == pipeline.config.evaluate.num_samples
    for sample in report["samples"]:
        assert list(sample["generations"]) == MODELS and sample["reference"]
    # The adapters changed what the model writes.
    first = report["samples"][0]["generations"]
    assert first["stage3"] != first["base"]


def test_the_markdown_report_puts_the_models_side_by_side(pipeline: PipelineRun) -> None:
    markdown = (pipeline.config.run_dir / "eval" / "report.md").read_text(encoding="utf-8")
    header = next(line for line in markdown.splitlines() if line.startswith("| Metric"))
    assert [cell.strip() for cell in header.split("|")[2:-1]] == MODELS
    rows = {line.split("|")[1].strip() for line in markdown.splitlines() if line.startswith("| ")}
    assert {"Hindi word validity", "Bits/char ↓", "Perplexity ↓", "BLEU", "ROUGE-L", "Prompt adherence"} <= rows


def test_bits_per_character_compare_models_on_the_same_text(pipeline: PipelineRun) -> None:
    models = read_report(pipeline)["models"]
    assert len({metrics["bpc_chars"] for metrics in models.values()}) == 1
    assert models["stage3"]["bits_per_char"] < models["base"]["bits_per_char"]
    assert all(0 <= metrics["word_validity"] <= 1 and metrics["tokens_per_devanagari_char"] > 0 for metrics in models.values())
