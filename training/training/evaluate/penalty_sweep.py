"""Word validity and loops of one adapter's stories at several repetition penalties (what story-service should ask).

    python -m training.evaluate.penalty_sweep --config training/configs/cpu-gemma3-270m.yaml \
        --adapter hindi-llm-service/adapters/storyscape-hi --penalties 1.0 1.05 1.15 [--samples 12]

Generates one story per held-out request (the first `--samples`), sampled as story-service asks (the config's
temperature, top-p and max_new_tokens), with the same seed at every penalty; prints one JSON line per penalty.
"""

from __future__ import annotations

import argparse
import json
import time

from peft import PeftModel

from training.config import load_config
from training.dataset.corpus import read_jsonl
from training.evaluate.cli import generation_requests, training_lexicon
from training.evaluate.generation import generate_stories
from training.evaluate.quality import repetition
from training.train.model import load_base_model, load_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--adapter", required=True)
    parser.add_argument("--penalties", type=float, nargs="+", default=[1.0, 1.05, 1.15])
    parser.add_argument("--samples", type=int, default=12)
    args = parser.parse_args()
    config = load_config(args.config, overrides=[f"evaluate.num_samples={args.samples}", "evaluate.samples_per_prompt=1"])
    settings = config.evaluate
    tokenizer = load_tokenizer(config.model)
    model = PeftModel.from_pretrained(load_base_model(config.model), args.adapter)
    model.eval()
    lexicon = training_lexicon(config)
    samples = generation_requests(config, read_jsonl(config.eval_file))
    for penalty in args.penalties:
        started = time.perf_counter()
        generated, _ = generate_stories(
            model,
            tokenizer,
            samples,
            max_new_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
            top_p=settings.top_p,
            batch_size=len(samples),
            seed=config.seed,
            repetition_penalty=penalty,
        )
        texts = [item.text for item in generated]
        figures = {"repetition_penalty": penalty, "generations": len(texts), "word_validity": round(lexicon.validity(texts), 3)}
        figures |= {name: round(value, 3) for name, value in repetition(texts, settings.repeat_n).items()}
        print(json.dumps({**figures, "seconds": round(time.perf_counter() - started)}), flush=True)


if __name__ == "__main__":
    main()
