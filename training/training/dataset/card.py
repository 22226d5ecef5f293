"""dataset_card.md: what went into each stage, where it came from, and what was dropped and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from storyscape_common.catalog import AGE_GROUPS
from training.dataset.corpus import Record
from training.dataset.text_units import words

BAR_WIDTH = 30
HISTOGRAM_BINS = 8


def source_group(source: str) -> str:
    """A URL counts under its host; anything else (in-house, synthetic:<model>) as itself."""
    parts = urlsplit(source)
    return parts.netloc if parts.scheme in {"http", "https"} and parts.netloc else source


def count_table(title: str, header: str, counts: Mapping[str, Counter[str]], columns: Sequence[str]) -> list[str]:
    present = {key for counter in counts.values() for key in counter}
    keys = [group for group in AGE_GROUPS if group in present] + sorted(present - set(AGE_GROUPS))
    lines = [f"### {title}", "", "| " + " | ".join([header, *columns, "total"]) + " |"]
    lines.append("|" + "---|" * (len(columns) + 2))
    for key in keys:
        row = [counts[column][key] for column in columns]
        lines.append("| " + " | ".join([key, *map(str, row), str(sum(row))]) + " |")
    return [*lines, ""]


def length_histogram(lengths: Sequence[int], edges: Sequence[int]) -> list[str]:
    """Text bars of word counts in the bins [edges[i], edges[i+1])."""
    counts = [sum(1 for n in lengths if edges[i] <= n < edges[i + 1]) for i in range(len(edges) - 1)]
    peak = max(counts, default=0) or 1
    return [f"{edges[i]:>5}–{edges[i + 1] - 1:<5} {'█' * round(BAR_WIDTH * c / peak):<{BAR_WIDTH}} {c}" for i, c in enumerate(counts)]


def histogram_edges(lengths: Sequence[int]) -> list[int]:
    low, high = min(lengths, default=0), max(lengths, default=0) + 1
    step = max(1, -(-(high - low) // HISTOGRAM_BINS))
    return [low + step * i for i in range(HISTOGRAM_BINS + 1)]


def render_card(*, splits: Mapping[str, Sequence[Record]], report: Mapping[str, Any]) -> str:
    """The whole card as markdown."""
    columns = list(splits)
    lines = [f"# Dataset card: {report['name']}", "", *report_summary(report), "", "## Counts", ""]
    lines += ["| split | records | mean complexity |", "|---|---|---|"]
    for name, records in splits.items():
        mean = sum(r["complexity"] for r in records) / len(records) if records else 0.0
        lines.append(f"| {name} | {len(records)} | {mean:+.3f} |")
    lines.append("")
    for title, field in (("By genre", "genre"), ("By age group", "age_group"), ("By source", "source")):
        header = field.replace("_", " ")
        per_split = {
            name: Counter(source_group(r[field]) if field == "source" else r[field] for r in records) for name, records in splits.items()
        }
        lines += count_table(title, header, per_split, columns)
    lines += histograms(splits)
    lines += sources_section(report)
    lines += drops_section(report)
    return "\n".join(lines) + "\n"


def report_summary(report: Mapping[str, Any]) -> list[str]:
    settings = report["settings"]
    return [
        f"- language: `{settings['language']}`; seed: `{report['seed']}`",
        f"- data hash (sha256 of the split files): `{report['data_hash']}`",
        (
            f"- near-duplicate threshold (MinHash Jaccard over {settings['shingle_size']}-word shingles, "
            f"{settings['minhash_permutations']} permutations, LSH {settings['lsh_bands']}×{settings['lsh_rows']}): "
            f"{settings['near_duplicate_threshold']}"
        ),
        f"- complexity = {settings['complexity_formula']}",
        (
            f"- stage fractions {settings['stage_fractions']}, eval fraction {settings['eval_fraction']} "
            "(one record per complexity stratum; no training record is a near duplicate of an eval record)"
        ),
    ]


def histograms(splits: Mapping[str, Sequence[Record]]) -> list[str]:
    everything = [len(words(r["text"])) for records in splits.values() for r in records]
    edges = histogram_edges(everything)
    lines = ["## Length (words) per split", ""]
    for name, records in splits.items():
        lines += [f"### {name}", "", "```", *length_histogram([len(words(r["text"])) for r in records], edges), "```", ""]
    return lines


def sources_section(report: Mapping[str, Any]) -> list[str]:
    lines = ["## Sources", "", "| file | records read |", "|---|---|"]
    lines += [f"| {name} | {count} |" for name, count in report["counts"]["read_per_file"].items()]
    licenses = report.get("licenses") or {}
    if licenses:
        lines += ["", "Scrape sources in the config and their licenses (for records whose source URL is theirs):", ""]
        lines += [f"- {name}: {text}" for name, text in licenses.items()]
    return [*lines, ""]


def drops_section(report: Mapping[str, Any]) -> list[str]:
    lines = ["## Dropped", "", "| reason | records |", "|---|---|"]
    lines += [f"| {reason} | {count} |" for reason, count in report["counts"]["dropped_by_reason"].items()]
    if not report["dropped"]:
        return [*lines, "", "Nothing was dropped.", ""]
    lines += ["", "| id | reason | detail |", "|---|---|---|"]
    lines += [f"| {item['id']} | {item['reason']} | {item['detail']} |" for item in report["dropped"]]
    return [*lines, ""]
