"""prepare on a small real corpus with planted problems: what is dropped, how the rest is split, and the card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.dataset.corpus import Record, read_jsonl
from training.dataset.dedup import MinHasher
from training.dataset.prepare import DropLog, drop_eval_neighbours, run_prepare
from training.dataset.text_units import words
from training_tests.utils.corpus import seed_stories, shingle_jaccard, tiny_config, with_words_changed, write_corpus

SPLITS = ("stage1", "stage2", "stage3", "eval")


def planted_corpus(folder: Path) -> list[Path]:
    """36 real Hindi stories in two files, plus copies and strays that prepare must catch."""
    stories = seed_stories("hi_part_a.jsonl", 18) + seed_stories("hi_part_b.jsonl", 18)
    original, reworded = stories[0], stories[5]
    planted: list[Record] = [
        # Same story with different spacing and an invisible joiner: an exact duplicate after cleaning.
        {**original, "id": "copy-exact", "text": original["text"].replace(" ", "  \u200d", 5) + "\n\n"},
        {**reworded, "id": "copy-near", "text": with_words_changed(reworded["text"], count=3)},
        # English text claiming to be Hindi, and real English stories.
        {**seed_stories("en_stories.jsonl", 1)[0], "id": "english-labelled-hi", "language": "hi"},
        *seed_stories("en_stories.jsonl", 3),
        {**original, "id": "too-short", "text": "एक छोटी सी बात।"},
        {**original, "id": "no-title", "title": ""},
        {
            **stories[7],
            "id": "with-boilerplate",
            "text": "Advertisement\n"
            + with_words_changed(stories[7]["text"], count=60, seed=3)
            + "\nRead more: https://example.com/more\n© 2024 Example",
        },
    ]
    return [
        write_corpus(folder / "part_one.jsonl", stories[:18]),
        write_corpus(folder / "part_two.jsonl", stories[18:]),
        write_corpus(folder / "planted.jsonl", planted),
    ]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("prepare")
    config = tiny_config(folder / "run", sources=planted_corpus(folder))
    summary = run_prepare(config)
    data = config.prepared_dir
    return {
        "summary": summary,
        "splits": {name: read_jsonl(data / f"{name}.jsonl") for name in SPLITS},
        "report": json.loads((data / "prepare_report.json").read_text(encoding="utf-8")),
        "card": (data / "dataset_card.md").read_text(encoding="utf-8"),
        "config": config,
    }


def kept_ids(prepared: dict[str, object]) -> set[str]:
    splits = prepared["splits"]
    assert isinstance(splits, dict)
    return {record["id"] for records in splits.values() for record in records}


def drop_reasons(prepared: dict[str, object]) -> dict[str, str]:
    report = prepared["report"]
    assert isinstance(report, dict)
    return {item["id"]: item["reason"] for item in report["dropped"]}


def test_planted_problems_are_dropped_with_their_reasons(prepared: dict[str, object]) -> None:
    reasons = drop_reasons(prepared)
    assert reasons["copy-exact"] == "exact_duplicate"
    assert reasons["copy-near"] == "near_duplicate"
    assert reasons["english-labelled-hi"] == "wrong_language"
    assert reasons["too-short"] == "too_short"
    assert reasons["no-title"] == "invalid_record"
    assert [reasons[f"en-00{n}"] for n in (1, 2, 3)] == ["wrong_language"] * 3


def test_every_distinct_story_is_kept_once(prepared: dict[str, object]) -> None:
    originals = {r["id"] for r in seed_stories("hi_part_a.jsonl", 18) + seed_stories("hi_part_b.jsonl", 18)}
    assert kept_ids(prepared) == originals | {"with-boilerplate"}
    report = prepared["report"]
    assert isinstance(report, dict)
    assert report["counts"]["kept"] == 37 and report["counts"]["read"] == 36 + 9


def test_boilerplate_and_urls_are_gone_from_kept_text(prepared: dict[str, object]) -> None:
    splits = prepared["splits"]
    assert isinstance(splits, dict)
    record = next(r for records in splits.values() for r in records if r["id"] == "with-boilerplate")
    for junk in ("Advertisement", "Read more", "https://", "©"):
        assert junk not in record["text"]


def test_eval_shares_no_near_duplicate_with_training(prepared: dict[str, object]) -> None:
    splits = prepared["splits"]
    assert isinstance(splits, dict)
    assert len(splits["eval"]) == round(0.2 * 37)
    training = [r for name in SPLITS[:3] for r in splits[name]]
    worst = max(shingle_jaccard(e["text"], t["text"]) for e in splits["eval"] for t in training)
    assert worst < 0.8


def test_eval_check_moves_out_training_records_too_close_to_eval(tmp_path: Path) -> None:
    config = tiny_config(tmp_path / "run", sources=[tmp_path / "unused.jsonl"])
    story, other = seed_stories("hi_part_c.jsonl", 2)
    records = [story, {**story, "id": "close", "text": with_words_changed(story["text"], count=2)}, other]
    hasher = MinHasher(permutations=64, shingle_size=3, seed=1)
    signatures = [hasher.signature(r["text"]) for r in records]
    drops = DropLog()
    kept = drop_eval_neighbours([1, 2], [0], records, signatures, data=config.data, drops=drops)
    assert kept == [2]
    assert [(item["id"], item["reason"]) for item in drops.items] == [("close", "near_duplicate_of_eval")]


def test_stages_go_from_simple_to_complex(prepared: dict[str, object]) -> None:
    splits = prepared["splits"]
    assert isinstance(splits, dict)
    means = [sum(r["complexity"] for r in splits[name]) / len(splits[name]) for name in SPLITS[:3]]
    assert means[0] < means[1] < means[2]
    assert max(r["complexity"] for r in splits["stage1"]) <= min(r["complexity"] for r in splits["stage2"])
    assert max(r["complexity"] for r in splits["stage2"]) <= min(r["complexity"] for r in splits["stage3"])
    mean_words = [sum(len(words(r["text"])) for r in splits[name]) / len(splits[name]) for name in SPLITS[:3]]
    assert mean_words[0] < mean_words[2]
    assert all(r["stage"] == name for name in SPLITS for r in splits[name])


def test_eval_spans_the_complexity_range(prepared: dict[str, object]) -> None:
    splits = prepared["splits"]
    assert isinstance(splits, dict)
    eval_scores = sorted(r["complexity"] for r in splits["eval"])
    assert eval_scores[0] < 0 < eval_scores[-1]


def test_card_and_report_explain_the_data(prepared: dict[str, object]) -> None:
    card, report = prepared["card"], prepared["report"]
    assert isinstance(card, str) and isinstance(report, dict)
    assert report["counts"]["dropped_by_reason"] == {
        "exact_duplicate": 1,
        "invalid_record": 1,
        "near_duplicate": 1,
        "too_short": 1,
        "wrong_language": 4,
    }
    for reason, count in report["counts"]["dropped_by_reason"].items():
        assert f"| {reason} | {count} |" in card
    assert report["data_hash"] in card
    assert "### By genre" in card and "### By age group" in card and "| in-house |" in card
    assert "## Length (words) per split" in card and "█" in card
    assert "copy-near" in card


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    sources = planted_corpus(tmp_path)
    outputs = []
    for attempt in ("first", "second"):
        config = tiny_config(tmp_path / attempt / "run", sources=sources)
        run_prepare(config)
        outputs.append({p.name: p.read_bytes() for p in sorted(config.prepared_dir.iterdir())})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 6


def test_another_seed_picks_another_eval_set(tmp_path: Path) -> None:
    sources = planted_corpus(tmp_path)
    evals = []
    for seed in (1, 2):
        config = tiny_config(tmp_path / f"seed{seed}" / "run", sources=sources, seed=seed)
        run_prepare(config)
        evals.append({r["id"] for r in read_jsonl(config.eval_file)})
    assert evals[0] != evals[1]


def test_a_hindi_run_of_english_data_keeps_nothing_to_train(tmp_path: Path) -> None:
    sources = [write_corpus(tmp_path / "en.jsonl", seed_stories("en_stories.jsonl", 5))]
    summary = run_prepare(tiny_config(tmp_path / "run", sources=sources))
    assert summary["counts"]["kept"] == 0
    assert summary["counts"]["dropped_by_reason"] == {"wrong_language": 5}


def test_an_english_run_keeps_english(tmp_path: Path) -> None:
    sources = [
        write_corpus(tmp_path / "en.jsonl", seed_stories("en_stories.jsonl", 12)),
        write_corpus(tmp_path / "hi.jsonl", seed_stories("hi_part_a.jsonl", 3)),
    ]
    summary = run_prepare(tiny_config(tmp_path / "run", sources=sources, data={"language": "en"}))
    assert summary["counts"]["kept"] == 12
    assert summary["counts"]["dropped_by_reason"] == {"wrong_language": 3}
