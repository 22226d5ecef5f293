"""`python -m training evaluate --config <yaml>`: base model vs each stage's adapter → <run_dir>/eval/report.{json,md}."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from functools import partial
from statistics import fmean
from typing import Any

from peft import PeftModel

from training.config import TrainingConfig
from training.dataset.corpus import Record, read_jsonl
from training.dataset.text_units import words
from training.evaluate.generation import Generated, generate_stories
from training.evaluate.hindi_words import HindiLexicon, vocabulary
from training.evaluate.metrics import bleu, devanagari_purity, distinct_n, length_compliance, rouge
from training.evaluate.perplexity import bits_per_character, story_perplexity
from training.evaluate.quality import mean_prompt_adherence, repetition, tokens_per_devanagari_char
from training.evaluate.report import write_report
from training.train.curriculum import stage_paths
from training.train.examples import encode, story_text
from training.train.model import load_base_model, load_tokenizer, lora_config

BASE = "base"
# A generation of at least this many words counts as realistic length (the bar for word validity).
REALISTIC_WORDS = 150


def truncated_reference(tokenizer: Any, record: Record, *, max_new_tokens: int) -> str:
    """The reference story cut to the generation budget, so BLEU/ROUGE measure content, not the length cap."""
    return str(tokenizer.decode(encode(tokenizer, story_text(record))[:max_new_tokens], skip_special_tokens=True))


def generation_metrics(
    generated: list[Generated], references: list[str], records: list[Record], *, lexicon: HindiLexicon, repeat_n: int
) -> dict[str, float]:
    texts = [item.text for item in generated]
    counts = [len(words(text)) for text in texts]
    return {
        "word_validity": lexicon.validity(texts),
        **repetition(texts, repeat_n),
        "prompt_adherence": mean_prompt_adherence([record["title"] for record in records], texts),
        "bleu": bleu(texts, references),
        **rouge(texts, references),
        "devanagari_purity": devanagari_purity(texts),
        "distinct_1": distinct_n(texts, 1),
        "distinct_2": distinct_n(texts, 2),
        "length_compliance": length_compliance(texts, [record["age_group"] for record in records]),
        "mean_words": fmean(counts),
        "realistic_share": fmean(count >= REALISTIC_WORDS for count in counts),
        "finished_share": fmean(item.finished for item in generated),
        "generations": len(texts),
    }


def score_model(
    model: Any, tokenizer: Any, config: TrainingConfig, *, held_out: list[Record], references: list[str], lexicon: HindiLexicon
) -> tuple[dict[str, Any], list[str]]:
    """Perplexity and bits per character on every held-out story, then generation metrics on the requests."""
    settings, samples = config.evaluate, generation_requests(config, held_out)
    window = settings.max_length or config.stages[-1].max_length
    scores = story_perplexity(model, tokenizer, held_out, max_length=window, batch_size=settings.batch_size)
    bpc = bits_per_character(model, tokenizer, held_out, chars=settings.bpc_chars, batch_size=settings.batch_size)
    generated, seconds = generate_stories(
        model,
        tokenizer,
        samples,
        max_new_tokens=settings.max_new_tokens,
        temperature=settings.temperature,
        top_p=settings.top_p,
        repetition_penalty=settings.repetition_penalty,
        batch_size=settings.batch_size,
        seed=config.seed,
    )
    speed = {
        "generation_s": round(seconds, 2),
        "tokens_per_s": sum(item.tokens for item in generated) / seconds,
        "words_per_s": sum(len(words(item.text)) for item in generated) / seconds,
    }
    quality = generation_metrics(generated, references, samples, lexicon=lexicon, repeat_n=settings.repeat_n)
    return {**scores, **bpc, **quality, **speed}, [item.text for item in generated]


def generation_requests(config: TrainingConfig, held_out: list[Record]) -> list[Record]:
    """The first `num_samples` held-out records, each `samples_per_prompt` times (sampling makes them differ)."""
    return held_out[: config.evaluate.num_samples] * config.evaluate.samples_per_prompt


def training_lexicon(config: TrainingConfig) -> HindiLexicon:
    """The Hunspell dictionary plus the words of the stories the adapter trained on (never the held-out ones)."""
    texts = [record["text"] for stage in config.stages for record in read_jsonl(config.stage_file(stage.name))]
    return HindiLexicon(config.evaluate.dictionary, extra_words=vocabulary(texts))


def model_names(config: TrainingConfig) -> list[str]:
    known = [BASE, *(stage.name for stage in config.stages)]
    chosen = config.evaluate.models or known
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise ValueError(f"evaluate.models names {unknown}: choose from {known}")
    return [*chosen, *config.evaluate.extra_adapters]


def adapter_model(config: TrainingConfig, names: list[str]) -> PeftModel:
    """The base model (quantised as in training) with each named adapter (a stage's or an extra one) loaded."""
    stages = {stage.name: stage_paths(config, stage).adapter for stage in config.stages}
    paths = {name: stages.get(name) or config.evaluate.extra_adapters[name] for name in names if name != BASE}
    if not paths:  # only the base: a throwaway adapter keeps one code path (scored with adapters disabled)
        return PeftModel(load_base_model(config.model), lora_config(config.model))
    missing = [name for name, path in paths.items() if not path.is_dir()]
    if missing:
        raise FileNotFoundError(f"no trained adapter for {', '.join(missing)} under {config.run_dir}: run `train` first")
    first, *rest = paths
    model = PeftModel.from_pretrained(load_base_model(config.model), str(paths[first]), adapter_name=first)
    for name in rest:
        model.load_adapter(str(paths[name]), adapter_name=name)
    model.eval()
    return model


def run_evaluate(config: TrainingConfig) -> dict[str, Any]:
    """Score the base model and the adapters; write <run_dir>/eval/report.json and report.md."""
    names = model_names(config)
    tokenizer, model, lexicon = load_tokenizer(config.model), adapter_model(config, names), training_lexicon(config)
    held_out = read_jsonl(config.eval_file)
    samples = generation_requests(config, held_out)
    references = [truncated_reference(tokenizer, r, max_new_tokens=config.evaluate.max_new_tokens) for r in samples]
    cost = {"tokens_per_devanagari_char": tokens_per_devanagari_char(tokenizer, [record["text"] for record in held_out])}
    results: dict[str, dict[str, Any]] = {}
    generations: dict[str, list[str]] = {}
    for name in names:
        started = time.perf_counter()
        score = partial(score_model, tokenizer=tokenizer, config=config, held_out=held_out, references=references, lexicon=lexicon)
        if name == BASE:
            with model.disable_adapter():
                metrics, generations[name] = score(model)
        else:
            model.set_adapter(name)
            metrics, generations[name] = score(model)
        results[name] = {**metrics, **cost}
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
            "generations_per_model": len(samples),
            "word_validity_dictionary": f"{settings.dictionary.name} (Hunspell) + inflections + the training stories' words",
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
