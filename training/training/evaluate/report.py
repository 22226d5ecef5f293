"""The evaluation report: report.json (everything) and report.md (a side-by-side table and sample stories)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# (key in a model's metrics, column title, format)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("perplexity", "Perplexity ↓", "{:.2f}"),
    ("bleu", "BLEU", "{:.2f}"),
    ("rouge1", "ROUGE-1", "{:.3f}"),
    ("rouge2", "ROUGE-2", "{:.3f}"),
    ("rougeL", "ROUGE-L", "{:.3f}"),
    ("devanagari_purity", "Devanagari", "{:.3f}"),
    ("distinct_1", "distinct-1", "{:.3f}"),
    ("distinct_2", "distinct-2", "{:.3f}"),
    ("length_compliance", "In word budget", "{:.2f}"),
    ("mean_words", "Mean words", "{:.1f}"),
    ("finished_share", "Finished", "{:.2f}"),
)
SAMPLE_CHARS = 300


def metrics_table(models: dict[str, dict[str, Any]]) -> str:
    header = "| Model | " + " | ".join(title for _, title, _ in COLUMNS) + " |"
    rule = "|---|" + "---:|" * len(COLUMNS)
    rows = [f"| {name} | " + " | ".join(fmt.format(metrics[key]) for key, _, fmt in COLUMNS) + " |" for name, metrics in models.items()]
    return "\n".join([header, rule, *rows])


def one_line(text: str) -> str:
    flat = " ".join(text.split())
    return (flat[:SAMPLE_CHARS] + "…" if len(flat) > SAMPLE_CHARS else flat).replace("|", "\\|")


def render_markdown(report: dict[str, Any]) -> str:
    settings = report["settings"]
    summary = (
        f"Base model `{report['base_model']}` ({report['quantization']}); {report['eval_records']} held-out stories for "
        f"perplexity (story tokens only, {settings['perplexity_max_length']}-token window); {settings['num_samples']} "
        f"generations per model, {settings['max_new_tokens']} new tokens, temperature {settings['temperature']}."
    )
    legend = (
        f"BLEU and ROUGE compare each generation with its held-out reference cut to the same "
        f"{settings['max_new_tokens']} tokens; both use Devanagari-aware word tokens. *In word budget*: share of "
        "generations within the age group's word budget. *Finished*: share that ended before the token limit."
    )
    lines = [f"# Evaluation: {report['run']}", "", summary, "", metrics_table(report["models"]), "", legend, "", "## Samples", ""]
    for sample in report["samples"]:
        lines += [
            f"### {sample['title']} ({sample['age_group']}, {sample['genre']})",
            "",
            f"- **reference**: {one_line(sample['reference'])}",
        ]
        lines += [f"- **{name}**: {one_line(text)}" for name, text in sample["generations"].items()]
        lines.append("")
    return "\n".join(lines)


def write_report(report: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (directory / "report.md").write_text(render_markdown(report), encoding="utf-8")
    return directory / "report.json"
