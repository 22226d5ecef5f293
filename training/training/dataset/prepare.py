"""`prepare`: corpus files → cleaned, language-checked, deduplicated, complexity-scored stage and eval files.

Writes under <run_dir>/data/: one jsonl per stage, eval.jsonl, dataset_card.md and prepare_report.json.
The same inputs and seed give byte-identical outputs.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from training.config import DataConfig, TrainingConfig
from training.dataset.card import render_card
from training.dataset.clean import clean_story_text, clean_title
from training.dataset.complexity import complexity_scores
from training.dataset.corpus import REQUIRED_FIELDS, Record, missing_fields, read_jsonl, write_jsonl
from training.dataset.dedup import LshIndex, MinHasher, text_fingerprint
from training.dataset.language import language_problem
from training.dataset.split import split_stages, stratified_eval_indices
from training.dataset.text_units import words

EVAL_SPLIT = "eval"


@dataclass
class DropLog:
    """Every record left out, with the reason a reader of the card needs."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, record: Record, reason: str, detail: str) -> None:
        self.items.append({"id": str(record.get("id", "?")), "origin": str(record.get("_origin", "?")), "reason": reason, "detail": detail})

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(item["reason"] for item in self.items).items()))


def load_sources(paths: list[Path]) -> tuple[list[Record], dict[str, int]]:
    """All records, in source order and by id within a file (append order of a resumed run does not matter)."""
    records: list[Record] = []
    read_per_file: dict[str, int] = {}
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"data source {path} does not exist")
        rows = read_jsonl(path)
        read_per_file[path.name] = len(rows)
        rows.sort(key=lambda row: str(row.get("id", "")))
        records += [{**row, "_origin": path.name} for row in rows]
    return records, read_per_file


def clean_and_filter(records: list[Record], *, data: DataConfig, drops: DropLog) -> list[Record]:
    """Invalid, empty, other-language and too-short records out; the rest cleaned."""
    kept: list[Record] = []
    seen_ids: set[str] = set()
    for record in records:
        if missing := missing_fields(record):
            drops.add(record, "invalid_record", f"missing {', '.join(missing)}")
            continue
        if record["id"] in seen_ids:
            drops.add(record, "duplicate_id", "an earlier record has this id")
            continue
        seen_ids.add(record["id"])
        cleaned = {**record, "title": clean_title(record["title"]), "text": clean_story_text(record["text"])}
        problem = language_problem(
            text=cleaned["title"] + "\n" + cleaned["text"],
            declared=record["language"],
            language=data.language,
            min_devanagari=data.min_devanagari_share,
            min_latin=data.min_latin_share,
        )
        if problem:
            drops.add(record, "wrong_language", problem)
        elif (count := len(words(cleaned["text"]))) < data.min_words:
            drops.add(record, "too_short", f"{count} words < {data.min_words}")
        else:
            kept.append(cleaned)
    return kept


def remove_exact_duplicates(records: list[Record], *, drops: DropLog) -> list[Record]:
    first_by_hash: dict[str, str] = {}
    kept = []
    for record in records:
        fingerprint = text_fingerprint(record["text"])
        if fingerprint in first_by_hash:
            drops.add(record, "exact_duplicate", f"same text as {first_by_hash[fingerprint]}")
            continue
        first_by_hash[fingerprint] = record["id"]
        kept.append(record)
    return kept


def remove_near_duplicates(
    records: list[Record], signatures: list[np.ndarray], *, data: DataConfig, drops: DropLog
) -> tuple[list[Record], list[np.ndarray]]:
    """Greedy: a record is kept unless an already kept record is at least `threshold` similar."""
    index = LshIndex(permutations=data.minhash_permutations, threshold=data.near_duplicate_threshold)
    kept, kept_signatures = [], []
    for record, signature in zip(records, signatures, strict=True):
        match = index.most_similar(signature)
        if match is not None:
            drops.add(record, "near_duplicate", f"MinHash Jaccard {match[1]:.2f} with {match[0]}")
            continue
        index.insert(record["id"], signature)
        kept.append(record)
        kept_signatures.append(signature)
    return kept, kept_signatures


def drop_eval_neighbours(
    train: list[int],
    evaluation: list[int],
    records: list[Record],
    signatures: list[np.ndarray],
    *,
    data: DataConfig,
    drops: DropLog,
) -> list[int]:
    """Training indices with no near duplicate among the eval records (checked again, explicitly)."""
    index = LshIndex(permutations=data.minhash_permutations, threshold=data.near_duplicate_threshold)
    for position in evaluation:
        index.insert(records[position]["id"], signatures[position])
    kept = []
    for position in train:
        match = index.most_similar(signatures[position])
        if match is None:
            kept.append(position)
        else:
            drops.add(records[position], "near_duplicate_of_eval", f"MinHash Jaccard {match[1]:.2f} with {match[0]}")
    return kept


def output_record(record: Record, *, complexity: float, split: str) -> Record:
    row = {name: record[name] for name in REQUIRED_FIELDS}
    if record.get("model"):
        row["model"] = record["model"]
    return {**row, "complexity": round(complexity, 6), "stage": split}


def data_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_prepare(config: TrainingConfig) -> dict[str, Any]:
    """Prepare the run's data; returns the counts and the data hash (the report's head)."""
    data, drops = config.data, DropLog()
    records, read_per_file = load_sources(config.data.sources)
    records = remove_exact_duplicates(clean_and_filter(records, data=data, drops=drops), drops=drops)
    hasher = MinHasher(permutations=data.minhash_permutations, shingle_size=data.shingle_size, seed=config.seed)
    signatures = [hasher.signature(record["text"]) for record in records]
    records, signatures = remove_near_duplicates(records, signatures, data=data, drops=drops)
    complexities, _ = complexity_scores([r["text"] for r in records], weights=data.complexity_weights)
    evaluation = stratified_eval_indices(complexities, fraction=data.eval_fraction, seed=config.seed)
    held_out = set(evaluation)
    train = [i for i in range(len(records)) if i not in held_out]
    train = drop_eval_neighbours(train, evaluation, records, signatures, data=data, drops=drops)
    stage_indices = split_stages(train, complexities, data.stage_fractions)
    splits: dict[str, list[Record]] = {}
    for stage, indices in zip(config.stages, stage_indices, strict=True):
        splits[stage.name] = [output_record(records[i], complexity=complexities[i], split=stage.name) for i in indices]
    splits[EVAL_SPLIT] = [output_record(records[i], complexity=complexities[i], split=EVAL_SPLIT) for i in evaluation]
    return write_outputs(config, splits=splits, drops=drops, read_per_file=read_per_file)


def write_outputs(
    config: TrainingConfig, *, splits: dict[str, list[Record]], drops: DropLog, read_per_file: dict[str, int]
) -> dict[str, Any]:
    """The split files, then the report and the card that describe them."""
    paths = [config.stage_file(stage.name) for stage in config.stages] + [config.eval_file]
    for path, records in zip(paths, splits.values(), strict=True):
        write_jsonl(path, records)
    report = build_report(config, splits=splits, drops=drops, read_per_file=read_per_file, digest=data_hash(paths))
    (config.prepared_dir / "prepare_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (config.prepared_dir / "dataset_card.md").write_text(render_card(splits=splits, report=report), encoding="utf-8")
    return {"data_dir": str(config.prepared_dir), "data_hash": report["data_hash"], "counts": report["counts"]}


def build_report(
    config: TrainingConfig, *, splits: dict[str, list[Record]], drops: DropLog, read_per_file: dict[str, int], digest: str
) -> dict[str, Any]:
    data = config.data
    index = LshIndex(permutations=data.minhash_permutations, threshold=data.near_duplicate_threshold)
    weights = data.complexity_weights
    formula = " + ".join(f"{getattr(weights, n)}·z({n})" for n in ("length", "sentence_length", "rarity", "dialogue"))
    means = {name: round(sum(r["complexity"] for r in rows) / len(rows), 6) if rows else None for name, rows in splits.items()}
    licenses = {source.name: source.license for source in config.scrape.sources} if config.scrape else {}
    return {
        "name": config.run_dir.name,
        "seed": config.seed,
        "data_hash": digest,
        "settings": {
            "language": data.language,
            "near_duplicate_threshold": data.near_duplicate_threshold,
            "shingle_size": data.shingle_size,
            "minhash_permutations": data.minhash_permutations,
            "lsh_bands": index.bands,
            "lsh_rows": index.rows,
            "eval_fraction": data.eval_fraction,
            "stage_fractions": list(data.stage_fractions),
            "complexity_formula": formula,
            "min_devanagari_share": data.min_devanagari_share,
            "min_words": data.min_words,
        },
        "counts": {
            "read": sum(read_per_file.values()),
            "read_per_file": read_per_file,
            "kept": sum(len(rows) for rows in splits.values()),
            "per_split": {name: len(rows) for name, rows in splits.items()},
            "dropped": len(drops.items),
            "dropped_by_reason": drops.counts(),
        },
        "mean_complexity": means,
        "licenses": licenses,
        "dropped": drops.items,
    }
