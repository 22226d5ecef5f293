"""The moderation evaluation: labelled prompts and story passages in English and Hindi, scored per
language, category and split, written as `report.md` + `report.json` next to the set.

    python -m storyscape_safety.evaluation            # offline moderator; rewrites safety/evaluation/report.*
    python -m storyscape_safety.evaluation --check    # also exit 1 when a target is missed

Targets (offline, per language, over the dev and held-out splits together): recall >= 0.9 on clearly
unsafe items, false positives <= 2 % on benign children's content (plain and tricky benign items).
Every third item of each section is held out: it is never looked at when the lexicon is tuned, so its
figures show how the lexicon does on text it was not fitted to.

The adversarial split (`moderation_eval_adversarial.txt`) dresses clearly unsafe phrases in the tricks of
`tricks.py` (invisible characters, look-alike letters, spelt-out words) and adds benign text that looks
tricky. Targets: recall >= 0.95 on its unsafe items per language; its benign items count towards the
benign false-positive target like every other benign item.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyscape_safety.offline import OfflineModerator
from storyscape_safety.text import latin_share
from storyscape_safety.tricks import dress
from storyscape_safety.types import Category, Moderator

EVAL_DIR = Path(__file__).resolve().parents[1] / "evaluation"
SET_FILES = ("moderation_eval_en.txt", "moderation_eval_hi.txt", "moderation_eval_adversarial.txt")
MIN_CLEAR_RECALL = 0.9
MIN_ADVERSARIAL_RECALL = 0.95
MAX_BENIGN_FPR = 0.02
LANGUAGES = ("en", "hi")


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    kind: str
    label: str  # safe | unsafe
    difficulty: str  # benign | tricky | clear | subtle
    categories: frozenset[Category]
    split: str  # dev | heldout | adversarial
    text: str  # what the moderator is shown (dressed, for adversarial items)
    source: str = ""  # the line as written (adversarial items: `<trick>: <text>`), for the report

    @property
    def script(self) -> str:
        return "latin" if latin_share(self.text) >= 0.8 else "devanagari"


def load_items(folder: Path = EVAL_DIR) -> list[Item]:
    items: list[Item] = []
    for name in SET_FILES:
        items.extend(_parse(folder / name))
    return items


def _parse(path: Path) -> Iterable[Item]:
    header: dict[str, str] = {}
    index_in_section = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("# "):
            continue
        if line.startswith("## "):
            header = dict(part.split("=", 1) for part in line[3:].split())
            index_in_section = 0
            continue
        index_in_section += 1
        categories = frozenset(Category(c) for c in header.get("categories", "").split(",") if c)
        split = header.get("split") or ("heldout" if index_in_section % 3 == 0 else "dev")
        text = line
        if split == "adversarial":
            trick, _, written = line.partition(": ")
            text = dress(written, trick)
        item_id = f"{path.stem}:{number}"
        yield Item(item_id, header["lang"], header["kind"], header["label"], header["difficulty"], categories, split, text, line)


@dataclass(frozen=True)
class Scored:
    item: Item
    blocked: bool
    categories: frozenset[Category]


async def score(moderator: Moderator, items: Sequence[Item]) -> list[Scored]:
    results = []
    for item in items:
        verdict = await moderator.check_text(item.text, language=item.lang)
        results.append(Scored(item, verdict.blocked, verdict.categories))
    return results


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def summarise(results: Sequence[Scored], splits: tuple[str, ...]) -> dict[str, Any]:
    """Per language: recall (clear, subtle), false positive rate (benign, tricky), per-category P/R."""
    summary: dict[str, Any] = {}
    for lang in LANGUAGES:
        rows = [r for r in results if r.item.lang == lang and r.item.split in splits]
        clear = [r for r in rows if r.item.difficulty == "clear"]
        subtle = [r for r in rows if r.item.difficulty == "subtle"]
        benign = [r for r in rows if r.item.label == "safe"]
        tricky = [r for r in benign if r.item.difficulty == "tricky"]
        adversarial = [r for r in rows if r.item.difficulty == "adversarial"]
        summary[lang] = {
            "items": len(rows),
            "adversarial_recall": _rate(sum(r.blocked for r in adversarial), len(adversarial)),
            "adversarial_items": len(adversarial),
            "clear_recall": _rate(sum(r.blocked for r in clear), len(clear)),
            "clear_items": len(clear),
            "subtle_recall": _rate(sum(r.blocked for r in subtle), len(subtle)),
            "subtle_items": len(subtle),
            "benign_fpr": _rate(sum(r.blocked for r in benign), len(benign)),
            "benign_items": len(benign),
            "tricky_fpr": _rate(sum(r.blocked for r in tricky), len(tricky)),
            "categories": {c.value: _category_figures(rows, c) for c in Category},
            "scripts": {script: _script_figures(rows, script) for script in ("devanagari", "latin")},
        }
    return summary


def _script_figures(rows: Sequence[Scored], script: str) -> dict[str, Any]:
    """Hindi typed in Devanagari and romanised Hinglish behave differently; each gets its own figures."""
    rows = [r for r in rows if r.item.script == script]
    clear = [r for r in rows if r.item.difficulty == "clear"]
    benign = [r for r in rows if r.item.label == "safe"]
    return {
        "items": len(rows),
        "clear_recall": _rate(sum(r.blocked for r in clear), len(clear)),
        "clear_items": len(clear),
        "benign_fpr": _rate(sum(r.blocked for r in benign), len(benign)),
        "benign_items": len(benign),
    }


def _category_figures(rows: Sequence[Scored], category: Category) -> dict[str, Any]:
    """Recall: unsafe items labelled `category` that were blocked (for any reason) / all of them.
    Precision: items flagged with `category` that are unsafe items labelled with it / all flagged with it."""
    labelled = [r for r in rows if category in r.item.categories]
    flagged = [r for r in rows if category in r.categories]
    return {
        "recall": _rate(sum(r.blocked for r in labelled), len(labelled)),
        "labelled": len(labelled),
        "precision": _rate(sum(category in r.item.categories for r in flagged), len(flagged)),
        "flagged": len(flagged),
    }


def meets_targets(summary: dict[str, Any]) -> list[str]:
    """The targets missed (empty when all are met)."""
    missed = []
    for lang in LANGUAGES:
        figures = summary[lang]
        if figures["clear_recall"] is None or figures["clear_recall"] < MIN_CLEAR_RECALL:
            missed.append(f"{lang}: clear recall {figures['clear_recall']} < {MIN_CLEAR_RECALL}")
        if figures["benign_fpr"] is None or figures["benign_fpr"] > MAX_BENIGN_FPR:
            missed.append(f"{lang}: benign false positive rate {figures['benign_fpr']} > {MAX_BENIGN_FPR}")
        if figures["adversarial_recall"] is None or figures["adversarial_recall"] < MIN_ADVERSARIAL_RECALL:
            missed.append(f"{lang}: adversarial recall {figures['adversarial_recall']} < {MIN_ADVERSARIAL_RECALL}")
    return missed


def evaluate(moderator: Moderator, items: Sequence[Item]) -> tuple[dict[str, Any], list[Scored]]:
    results = asyncio.run(score(moderator, items))
    report: dict[str, Any] = {
        "moderator": moderator.name,
        "targets": {
            "min_clear_recall": MIN_CLEAR_RECALL,
            "min_adversarial_recall": MIN_ADVERSARIAL_RECALL,
            "max_benign_fpr": MAX_BENIGN_FPR,
        },
        "all": summarise(results, ("dev", "heldout", "adversarial")),
        "dev": summarise(results, ("dev",)),
        "heldout": summarise(results, ("heldout",)),
        "adversarial": summarise(results, ("adversarial",)),
    }
    report["missed_targets"] = meets_targets(report["all"])
    return report, results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=EVAL_DIR, help="folder for report.md and report.json")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    from storyscape_safety.evaluation_report import render_markdown

    report, results = evaluate(OfflineModerator(), load_items())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / "report.md").write_text(render_markdown(report, results), encoding="utf-8")
    print(render_markdown(report, results, errors=False))
    headline = ("clear_recall", "adversarial_recall", "benign_fpr", "subtle_recall")
    print(json.dumps({lang: {k: report["all"][lang][k] for k in headline} for lang in LANGUAGES}))
    return 1 if args.check and report["missed_targets"] else 0


if __name__ == "__main__":
    sys.exit(main())
