"""The evaluation report: report.json (everything) and report.md (a side-by-side table and sample stories)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# (key in a model's metrics, column title, format)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("word_validity", "Hindi word validity", "{:.3f}"),
    ("bits_per_char", "Bits/char ↓", "{:.3f}"),
    ("perplexity", "Perplexity ↓", "{:.2f}"),
    ("tokens_per_devanagari_char", "Tokens/Devanagari char", "{:.2f}"),
    ("words_per_s", "Words/s", "{:.1f}"),
    ("repeat8_max", "Repeated 8-gram share (worst)", "{:.3f}"),
    ("repeat8_mean", "Repeated 8-gram share (mean)", "{:.3f}"),
    ("prompt_adherence", "Prompt adherence", "{:.2f}"),
    ("bleu", "BLEU", "{:.2f}"),
    ("rouge1", "ROUGE-1", "{:.3f}"),
    ("rouge2", "ROUGE-2", "{:.3f}"),
    ("rougeL", "ROUGE-L", "{:.3f}"),
    ("devanagari_purity", "Devanagari", "{:.3f}"),
    ("distinct_1", "distinct-1", "{:.3f}"),
    ("distinct_2", "distinct-2", "{:.3f}"),
    ("length_compliance", "In word budget", "{:.2f}"),
    ("mean_words", "Mean words", "{:.1f}"),
    ("realistic_share", "≥150 words", "{:.2f}"),
    ("finished_share", "Finished", "{:.2f}"),
)
LEGEND = (
    "*Hindi word validity*: share of Devanagari words in the generations that the Hindi Hunspell dictionary accepts "
    "(inflected forms of its words and the training stories' words count; the held-out stories' do not). "
    "*Bits/char*: the held-out answers' negative log-likelihood in bits per character (comparable across "
    "tokenizers, unlike perplexity). *Tokens/Devanagari char*: the tokenizer's cost on the held-out stories. "
    "*Words/s*: generation speed on this machine. *Repeated 8-gram share*: share of a generation's words inside a "
    "word 8-gram that occurs twice in it (a loop scores near 1). *Prompt adherence*: share of the story idea's key "
    "words whose stem appears in the story body. "
)
SAMPLE_CHARS = 300


def cell(metrics: dict[str, Any], key: str, fmt: str) -> str:
    """A formatted value, or "–" for a metric an older report does not have."""
    return fmt.format(metrics[key]) if key in metrics else "–"


def metrics_table(models: dict[str, dict[str, Any]]) -> str:
    """Models as columns, metrics as rows: the table stays readable with many metrics."""
    names = list(models)
    header = "| Metric | " + " | ".join(names) + " |"
    rule = "|---|" + "---:|" * len(names)
    rows = [f"| {title} | " + " | ".join(cell(models[name], key, fmt) for name in names) + " |" for key, title, fmt in COLUMNS]
    return "\n".join([header, rule, *rows])


def one_line(text: str) -> str:
    flat = " ".join(text.split())
    return (flat[:SAMPLE_CHARS] + "…" if len(flat) > SAMPLE_CHARS else flat).replace("|", "\\|")


def render_markdown(report: dict[str, Any]) -> str:
    settings = report["settings"]
    generations = settings.get("generations_per_model", settings["num_samples"])
    summary = (
        f"Base model `{report['base_model']}` ({report['quantization']}); {report['eval_records']} held-out stories for "
        f"perplexity (story tokens only, {settings['perplexity_max_length']}-token window); {generations} "
        f"generations per model, {settings['max_new_tokens']} new tokens, temperature {settings['temperature']}, "
        f"top-p {settings.get('top_p', 1.0)}."
    )
    legend = LEGEND + (
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
