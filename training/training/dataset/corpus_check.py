"""`python -m training check-corpus --config <yaml>`: the corpus files as written, before any filtering.

Per file: stories by language, Hindi word validity, and near-duplicates (the filter `prepare` applies), plus the
counts per genre, age group and source. Hindi validity is leave-one-file-out: the Hunspell dictionary, inflected
forms of its words, and the vocabulary of the *other* Hindi files, so a file cannot vouch for its own misspellings.
Writes <run_dir>/corpus_check.json and corpus_card.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from training.config import TrainingConfig
from training.dataset.card import count_table, source_group
from training.dataset.corpus import Record, read_jsonl
from training.dataset.dedup import LshIndex, MinHasher
from training.evaluate.hindi_words import HindiLexicon, vocabulary


def near_duplicates(records: list[Record], config: TrainingConfig) -> list[dict[str, Any]]:
    """Every story that `prepare` would drop as a near duplicate of an earlier one, with its match."""
    data = config.data
    hasher = MinHasher(permutations=data.minhash_permutations, shingle_size=data.shingle_size, seed=config.seed)
    index = LshIndex(permutations=data.minhash_permutations, threshold=data.near_duplicate_threshold)
    found = []
    for record in records:
        signature = hasher.signature(record["text"])
        match = index.most_similar(signature)
        if match is None:
            index.insert(record["id"], signature)
        else:
            found.append({"id": record["id"], "duplicate_of": match[0], "jaccard": round(match[1], 3)})
    return found


def hindi_validity(files: dict[str, list[Record]], dictionary: Path) -> dict[str, dict[str, Any]]:
    """Per Hindi file: validity against the dictionary alone and with the other Hindi files' vocabulary."""
    hindi = {name: [r["text"] for r in records if r["language"] == "hi"] for name, records in files.items()}
    bare = HindiLexicon(dictionary)
    results: dict[str, dict[str, Any]] = {}
    for name, texts in hindi.items():
        if not texts:
            continue
        others = vocabulary(text for other, other_texts in hindi.items() if other != name for text in other_texts)
        lexicon = HindiLexicon(dictionary, extra_words=others)
        results[name] = {
            "dictionary_only": round(bare.validity(texts), 4),
            "with_other_files": round(lexicon.validity(texts), 4),
            "unknown_words": lexicon.rejected(texts)[:40],
        }
    return results


def render(result: dict[str, Any], files: dict[str, list[Record]]) -> str:
    lines = ["# Corpus card: the seed stories as written", "", "| file | stories | hi | en |", "|---|---:|---:|---:|"]
    for name, records in files.items():
        languages = Counter(r["language"] for r in records)
        lines.append(f"| {name} | {len(records)} | {languages['hi']} | {languages['en']} |")
    lines += ["", "## Counts", ""]
    for title, field in (("By genre", "genre"), ("By age group", "age_group"), ("By source", "source")):
        per_language = {
            language: Counter(
                source_group(r[field]) if field == "source" else r[field] for rs in files.values() for r in rs if r["language"] == language
            )
            for language in ("hi", "en")
        }
        lines += count_table(title, field.replace("_", " "), per_language, ["hi", "en"])
    lines += [
        "## Hindi word validity",
        "",
        "| file | dictionary only | + other files' words | most frequent unknown words |",
        "|---|---:|---:|---|",
    ]
    for name, scores in result["validity"].items():
        unknown = " ".join(scores["unknown_words"][:12])
        lines.append(f"| {name} | {scores['dictionary_only']:.3f} | {scores['with_other_files']:.3f} | {unknown} |")
    duplicates = result["near_duplicates"]
    lines += ["", f"## Near duplicates (MinHash Jaccard ≥ {result['threshold']})", ""]
    lines += [f"- {d['id']} ~ {d['duplicate_of']} ({d['jaccard']})" for d in duplicates] or ["none"]
    return "\n".join(lines) + "\n"


def run_check_corpus(config: TrainingConfig) -> dict[str, Any]:
    files = {path.name: read_jsonl(path) for path in config.data.sources}
    records = [record for file_records in files.values() for record in file_records]
    result: dict[str, Any] = {
        "files": {name: len(rs) for name, rs in files.items()},
        "validity": hindi_validity(files, config.evaluate.dictionary),
        "near_duplicates": near_duplicates(records, config),
        "threshold": config.data.near_duplicate_threshold,
    }
    config.run_dir.mkdir(parents=True, exist_ok=True)
    (config.run_dir / "corpus_check.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (config.run_dir / "corpus_card.md").write_text(render(result, files), encoding="utf-8")
    return {name: {k: v for k, v in scores.items() if k != "unknown_words"} for name, scores in result["validity"].items()} | {
        "near_duplicates": len(result["near_duplicates"])
    }
