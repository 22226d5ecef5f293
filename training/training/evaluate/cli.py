"""`python -m training evaluate --config <yaml>`: base model vs each stage's adapter → <run_dir>/eval/report.{json,md}."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from statistics import fmean
from typing import Any

from peft import PeftModel

from training.config import TrainingConfig
from training.dataset.corpus import Record, read_jsonl
from training.dataset.text_units import words
from training.evaluate.generation import Generated, generate_stories
from training.evaluate.metrics import bleu, devanagari_purity, distinct_n, length_compliance, rouge
from training.evaluate.perplexity import story_perplexity
from training.evaluate.report import write_report
from training.train.curriculum import stage_paths
from training.train.examples import encode, story_text
from training.train.model import load_base_model, load_tokenizer

BASE = "base"


def truncated_reference(tokenizer: Any, record: Record, *, max_new_tokens: int) -> str:
    """The reference story cut to the generation budget, so BLEU/ROUGE measure content, not the length cap."""
    return str(tokenizer.decode(encode(tokenizer, story_text(record))[:max_new_tokens], skip_special_tokens=True))


def generation_metrics(generated: list[Generated], references: list[str], records: list[Record]) -> dict[str, float]:
    texts = [item.text for item in generated]
    return {
        "bleu": bleu(texts, references),
        **rouge(texts, references),
        "devanagari_purity": devanagari_purity(texts),
        "distinct_1": distinct_n(texts, 1),
        "distinct_2": distinct_n(texts, 2),
        "length_compliance": length_compliance(texts, [record["age_group"] for record in records]),
        "mean_words": fmean(len(words(text)) for text in texts),
        "finished_share": fmean(item.finished for item in generated),
    }


def score_model(
    model: Any, tokenizer: Any, config: TrainingConfig, *, held_out: list[Record], references: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """Perplexity on every held-out story, then generation metrics on the first `num_samples` of them."""
    settings, samples = config.evaluate, held_out[: config.evaluate.num_samples]
    window = settings.max_length or config.stages[-1].max_length
    scores = story_perplexity(model, tokenizer, held_out, max_length=window, batch_size=settings.batch_size)
    generated, seconds = generate_stories(
        model,
        tokenizer,
        samples,
        max_new_tokens=settings.max_new_tokens,
        temperature=settings.temperature,
        batch_size=settings.batch_size,
        seed=config.seed,
    )
    metrics = {**scores, **generation_metrics(generated, references, samples), "generation_s": round(seconds, 2)}
    return metrics, [item.text for item in generated]


def adapter_model(config: TrainingConfig) -> PeftModel:
    """The base model (quantised as in training) with every stage's adapter loaded under the stage's name."""
    paths = {stage.name: stage_paths(config, stage).adapter for stage in config.stages}
    missing = [name for name, path in paths.items() if not path.is_dir()]
    if missing:
        raise FileNotFoundError(f"no trained adapter for {', '.join(missing)} under {config.run_dir}: run `train` first")
    names = list(paths)
    model = PeftModel.from_pretrained(load_base_model(config.model), str(paths[names[0]]), adapter_name=names[0])
    for name in names[1:]:
        model.load_adapter(str(paths[name]), adapter_name=name)
    model.eval()
    return model


def run_evaluate(config: TrainingConfig) -> dict[str, Any]:
    """Score the base model and each stage's adapter; write <run_dir>/eval/report.json and report.md."""
    tokenizer, model = load_tokenizer(config.model), adapter_model(config)
    held_out = read_jsonl(config.eval_file)
    samples = held_out[: config.evaluate.num_samples]
    references = [truncated_reference(tokenizer, r, max_new_tokens=config.evaluate.max_new_tokens) for r in samples]
    results: dict[str, dict[str, Any]] = {}
    generations: dict[str, list[str]] = {}
    for name in [BASE, *(stage.name for stage in config.stages)]:
        started = time.perf_counter()
        if name == BASE:
            with model.disable_adapter():
                results[name], generations[name] = score_model(model, tokenizer, config, held_out=held_out, references=references)
        else:
            model.set_adapter(name)
            results[name], generations[name] = score_model(model, tokenizer, config, held_out=held_out, references=references)
        print(f"evaluated {name} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    report = build_report(config, results=results, generations=generations, samples=samples, references=references, held_out=held_out)
    path = write_report(report, config.run_dir / "eval")
    return {"report": str(path), "models": results}


def build_report(
    config: TrainingConfig,
    *,
    results: dict[str, dict[str, Any]],
    generations: dict[str, list[str]],
    samples: list[Record],
    references: list[str],
    held_out: list[Record],
) -> dict[str, Any]:
    settings = config.evaluate
    return {
        "run": config.run_dir.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_model": config.model.base_id or config.model.base,
        "quantization": config.model.quantization,
        "eval_records": len(held_out),
        "settings": {
            **settings.model_dump(mode="json"),
            "perplexity_max_length": settings.max_length or config.stages[-1].max_length,
            "reference": "held-out story cut to max_new_tokens tokens",
            "tokens": "Devanagari-aware words",
        },
        "models": results,
        "samples": [
            {
                "id": record["id"],
                "title": record["title"],
                "age_group": record["age_group"],
                "genre": record["genre"],
                "reference": reference,
                "generations": {name: texts[i] for name, texts in generations.items()},
            }
            for i, (record, reference) in enumerate(zip(samples, references, strict=True))
        ],
    }
