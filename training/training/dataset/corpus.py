"""Corpus records and their jsonl files."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "text", "language", "genre", "age_group", "source")

Record = dict[str, Any]


def missing_fields(record: Record) -> list[str]:
    """The contract fields a record lacks or leaves empty."""
    return [name for name in REQUIRED_FIELDS if not isinstance(record.get(name), str) or not record[name].strip()]


def iter_jsonl(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from error


def read_jsonl(path: Path) -> list[Record]:
    return list(iter_jsonl(path))


def record_ids(path: Path) -> set[str]:
    """Ids already in a corpus file (empty when it does not exist yet): what a resumed run skips."""
    return {str(record.get("id")) for record in iter_jsonl(path)} if path.exists() else set()


def to_json_line(record: Record) -> str:
    # Sorted keys keep files byte-identical across runs whatever order a record was built in.
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def write_jsonl(path: Path, records: Iterable[Record]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(to_json_line(record) for record in records)


def append_jsonl(path: Path, records: Iterable[Record]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(to_json_line(record) for record in records)
