"""CLI: `python -m training <command> --config <yaml> [--set key=value ...]`.

Each command's module is imported only when that command runs, so `prepare` never loads torch.
A command function takes the loaded `TrainingConfig`; it may be sync or async, and what it returns is printed as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from training.config import TrainingConfig, load_config

# command -> (module, function, help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "scrape": ("training.scrape.runner", "run_scrape", "fetch public-domain stories into a corpus jsonl"),
    "synthesize": ("training.synthetic", "run_synthesize", "write synthetic stories through an OpenAI-compatible endpoint"),
    "check-corpus": ("training.dataset.corpus_check", "run_check_corpus", "word validity, near duplicates and counts of the corpus files"),
    "prepare": ("training.dataset.prepare", "run_prepare", "clean, deduplicate, score and split the corpus"),
    "train": ("training.train.cli", "run_train", "run the three-stage LoRA/QLoRA curriculum"),
    "evaluate": ("training.evaluate.cli", "run_evaluate", "score the adapter against the base model"),
    "export": ("training.export", "run_export", "write the adapter folder and its manifest"),
}
PIPELINE: tuple[str, ...] = ("prepare", "train", "evaluate", "export")


def run_command(name: str, config: TrainingConfig) -> Any:
    """Import the command's module, call its function, and wait for it when it is a coroutine."""
    module_name, function_name, _ = COMMANDS[name]
    function = getattr(importlib.import_module(module_name), function_name)
    result = function(config)
    if inspect.isawaitable(result):
        result = asyncio.run(_awaited(result))
    return result


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def run_pipeline(config: TrainingConfig) -> dict[str, Any]:
    """prepare → train → evaluate → export, each reading what the previous one wrote under run_dir."""
    results: dict[str, Any] = {}
    for name in PIPELINE:
        print(f"== {name}", file=sys.stderr, flush=True)
        results[name] = run_command(name, config)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    helps = {name: spec[2] for name, spec in COMMANDS.items()}
    helps["pipeline"] = "prepare, train, evaluate and export in order"
    for name, text in helps.items():
        command = commands.add_parser(name, help=text)
        command.add_argument("--config", required=True, help="path to a training YAML file")
        command.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a config value, e.g. --set stages.0.epochs=2 (repeatable)",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "openai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    config = load_config(args.config, overrides=args.overrides)
    result = run_pipeline(config) if args.command == "pipeline" else run_command(args.command, config)
    if result is not None:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
