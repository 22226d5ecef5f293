"""The labelled evaluation set meets its targets offline, and the committed report says what the code does."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from storyscape_safety import Category, OfflineModerator
from storyscape_safety.evaluation import (
    EVAL_DIR,
    LANGUAGES,
    MAX_BENIGN_FPR,
    MIN_ADVERSARIAL_RECALL,
    MIN_CLEAR_RECALL,
    evaluate,
    load_items,
)
from storyscape_safety.tricks import TRICKS


@pytest.fixture(scope="module")
def report(offline: OfflineModerator) -> dict[str, Any]:
    figures, _ = evaluate(offline, load_items())
    return figures


def test_the_set_is_big_enough_half_hindi_and_covers_every_category() -> None:
    items = load_items()
    assert len(items) >= 300
    by_language = Counter(item.lang for item in items)
    assert by_language["hi"] >= len(items) // 2 - 5
    for lang in LANGUAGES:
        for category in Category:
            for difficulty in ("clear", "subtle"):
                assert any(i.lang == lang and i.difficulty == difficulty and category in i.categories for i in items), (lang, category)
        assert sum(i.lang == lang and i.difficulty == "tricky" for i in items) >= 25
        assert sum(i.lang == lang and i.split == "heldout" for i in items) >= 40
        adversarial = [i for i in items if i.lang == lang and i.split == "adversarial"]
        assert len(adversarial) >= 60 and sum(i.label == "safe" for i in adversarial) >= 20
        assert all(i.text != i.source.partition(": ")[2] for i in adversarial if i.label == "unsafe"), "every unsafe item is dressed"
    used = {i.source.partition(": ")[0] for i in items if i.split == "adversarial"}
    assert used == set(TRICKS), set(TRICKS) - used


@pytest.mark.parametrize("lang", LANGUAGES)
def test_offline_moderation_meets_the_targets(report: dict[str, Any], lang: str) -> None:
    figures = report["all"][lang]
    assert figures["clear_recall"] >= MIN_CLEAR_RECALL, figures
    assert figures["benign_fpr"] <= MAX_BENIGN_FPR, figures
    assert figures["adversarial_recall"] >= MIN_ADVERSARIAL_RECALL, figures


def test_the_committed_report_is_current(report: dict[str, Any]) -> None:
    committed = json.loads((EVAL_DIR / "report.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(report)), "rerun: python -m storyscape_safety.evaluation"
