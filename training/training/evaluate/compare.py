"""Candidates side by side: several runs' eval reports (each a base model and its adapters) in one table.

`python -m training.evaluate.compare --report smollm2=training/runs/cpu-smollm2/eval/report.json
 --report gemma3=training/runs/cpu-gemma3-270m/eval/report.json --out hindi-llm-service/adapters/storyscape-hi/comparison.md`
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from training.evaluate.report import LEGEND, metrics_table, one_line


def load_reports(specs: list[str]) -> dict[str, dict[str, Any]]:
    """`label=path` pairs → the reports, which must all score the same held-out stories."""
    reports: dict[str, dict[str, Any]] = {}
    for spec in specs:
        label, sep, path = spec.partition("=")
        if not sep:
            raise ValueError(f"--report {spec!r} is not label=path")
        reports[label] = json.loads(Path(path).read_text(encoding="utf-8"))
    held_out = {label: [sample["id"] for sample in report["samples"]] for label, report in reports.items()}
    if len({tuple(ids) for ids in held_out.values()}) > 1:
        raise ValueError(f"the reports generated for different held-out requests: {held_out}")
    return reports


def combined_models(reports: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{label}: {name}": metrics for label, report in reports.items() for name, metrics in report["models"].items()}


def render(reports: dict[str, dict[str, Any]], *, samples: int = 3) -> str:
    lines = ["# Offline Hindi candidates, side by side", ""]
    for label, report in reports.items():
        settings = report["settings"]
        lines.append(
            f"- **{label}**: `{report['base_model']}` ({report['quantization']}), {report['eval_records']} held-out stories, "
            f"{settings.get('generations_per_model', settings['num_samples'])} generations per model of at most "
            f"{settings['max_new_tokens']} new tokens, temperature {settings['temperature']}, top-p {settings.get('top_p', 1.0)}."
        )
    lines += ["", metrics_table(combined_models(reports)), "", LEGEND, "", "## First generations", ""]
    first = next(iter(reports.values()))["samples"]
    for index, sample in enumerate(first[:samples]):
        lines += [f"### {sample['title']} ({sample['age_group']}, {sample['genre']})", ""]
        for label, report in reports.items():
            for name, text in report["samples"][index]["generations"].items():
                lines.append(f"- **{label}: {name}**: {one_line(text)}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", action="append", required=True, metavar="LABEL=PATH", help="an eval report.json (repeatable)")
    parser.add_argument("--out", type=Path, required=True, help="the markdown file to write")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(load_reports(args.report)) + "\n", encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()
