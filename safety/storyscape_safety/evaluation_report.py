"""The evaluation report as Markdown: headline figures per language and split, per-category precision and
recall, and the items each split got wrong (so a reviewer sees what the filter misses and over-blocks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storyscape_safety.types import Category

LANG_NAMES = {"en": "English", "hi": "Hindi (Devanagari + romanised)"}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _headline(report: dict[str, Any]) -> list[str]:
    lines = [
        "| language | split | items | recall, clear unsafe | recall, subtle unsafe | recall, adversarial unsafe "
        "| false positives, benign | of which tricky benign |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for lang, name in LANG_NAMES.items():
        for split in ("all", "dev", "heldout", "adversarial"):
            f = report[split][lang]
            lines.append(
                f"| {name} | {split} | {f['items']} | {_pct(f['clear_recall'])} ({f['clear_items']}) | "
                f"{_pct(f['subtle_recall'])} ({f['subtle_items']}) | "
                f"{_pct(f['adversarial_recall'])} ({f['adversarial_items']}) | {_pct(f['benign_fpr'])} ({f['benign_items']}) | "
                f"{_pct(f['tricky_fpr'])} |"
            )
    return lines


def _categories(report: dict[str, Any]) -> list[str]:
    lines = ["| language | category | recall (clear + subtle items) | precision (flags) |", "|---|---|---|---|"]
    for lang, name in LANG_NAMES.items():
        for category in Category:
            f = report["all"][lang]["categories"][category.value]
            lines.append(
                f"| {name} | {category.value} | {_pct(f['recall'])} of {f['labelled']} | {_pct(f['precision'])} of {f['flagged']} |"
            )
    return lines


def _scripts(report: dict[str, Any]) -> list[str]:
    lines = ["| language | script | items | recall, clear unsafe | false positives, benign |", "|---|---|---|---|---|"]
    for lang, name in LANG_NAMES.items():
        for script, f in report["all"][lang]["scripts"].items():
            if f["items"]:
                lines.append(
                    f"| {name} | {script} | {f['items']} | {_pct(f['clear_recall'])} ({f['clear_items']}) | "
                    f"{_pct(f['benign_fpr'])} ({f['benign_items']}) |"
                )
    return lines


def _errors(results: Sequence[Any]) -> list[str]:
    lines = []
    for split in ("dev", "heldout", "adversarial"):
        wrong = [r for r in results if r.item.split == split and r.blocked != (r.item.label == "unsafe")]
        lines += [f"### {split}: {len(wrong)} items wrong", ""]
        for r in wrong:
            what = "missed" if r.item.label == "unsafe" else "over-blocked as " + ",".join(sorted(c.value for c in r.categories))
            lines.append(f"- `{r.item.id}` ({r.item.difficulty}, {what}): {r.item.source or r.item.text}")
        lines.append("")
    return lines


def render_markdown(report: dict[str, Any], results: Sequence[Any], *, errors: bool = True) -> str:
    targets = report["targets"]
    lines = [
        f"# Moderation evaluation ({report['moderator']} moderator)",
        "",
        "Regenerate: `.venv/bin/python -m storyscape_safety.evaluation` (from the repository root).",
        f"Targets, per language over all items: recall on clearly unsafe items >= {targets['min_clear_recall']:.0%}, "
        f"recall on the adversarial split's unsafe items >= {targets['min_adversarial_recall']:.0%}, "
        f"false positives on benign children's content <= {targets['max_benign_fpr']:.0%}. "
        f"Missed: {', '.join(report['missed_targets']) or 'none'}.",
        "",
        "Held-out items (every third of each section) were not used to tune the lexicon or thresholds: after the first",
        "run only the dev split's misses were looked at. The set and the lexicon were written by the same team, so even",
        "held-out figures are likely optimistic for text written by others; the held-out split is small (12 clear",
        "unsafe items per language).",
        "Subtle items need understanding rather than words (grooming, coded requests); no target is set for them",
        "offline, and the OpenAI provider is the one expected to catch them.",
        "The adversarial split (`moderation_eval_adversarial.txt`) dresses clearly unsafe phrases in the tricks of",
        "`storyscape_safety/tricks.py` (invisible and format characters, look-alike letters, spelt-out words) and adds",
        "benign text that looks tricky. It was written before the normaliser ran on it; that first run missed 8 of its",
        "81 unsafe items (Cyrillic к and Greek κ, τ, which Unicode's table lists only as capitals; l and I, one class",
        "in Unicode's skeletons, apart once text is case-folded; a spelt-out word right after a one-letter word), and",
        "three general rules in `text.py` fixed them; no item was changed. It is small: treat it as a regression set.",
        "",
        *_headline(report),
        "",
        "## Per category (all splits)",
        "",
        *_categories(report),
        "",
        "## Per script (all splits)",
        "",
        *_scripts(report),
        "",
    ]
    if errors:
        lines += ["## Items the moderator got wrong", "", *_errors(results)]
    return "\n".join(lines) + "\n"
