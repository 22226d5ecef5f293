"""Training examples: the chat-formatted request the service would send, with loss only on the story."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from training.train.examples import IGNORE, collate, render_example
from training.train.loss import story_nll
from training_tests.utils.corpus import seed_stories


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path) -> Any:
    return AutoTokenizer.from_pretrained(str(tiny_model_dir))


def test_the_prompt_is_the_story_request_and_only_the_story_is_labelled(tokenizer: Any) -> None:
    record = seed_stories("hi_part_a.jsonl", 1)[0]
    example = render_example(tokenizer, record, max_length=4096)
    prompt_length = example.labels.index(next(label for label in example.labels if label != IGNORE))
    assert all(label == IGNORE for label in example.labels[:prompt_length])
    assert example.labels[prompt_length:] == example.input_ids[prompt_length:]

    prompt = tokenizer.decode(example.input_ids[:prompt_length])
    assert "<|im_start|>system\n" in prompt and prompt.endswith("<|im_start|>assistant\n")
    assert "हिन्दी" in prompt and f"आयु वर्ग: {record['age_group']} साल" in prompt and record["title"] in prompt
    story = tokenizer.decode(example.input_ids[prompt_length:])
    assert story == f"{record['title']}\n\n{record['text']}<|im_end|>\n"


def test_a_long_story_is_cut_to_max_length_and_the_prompt_kept_whole(tokenizer: Any) -> None:
    record = seed_stories("hi_part_c.jsonl", 1)[0]
    # The tiny tokenizer spends ~410 tokens on a Hindi prompt: 464 leaves room for some of the story.
    whole, cut = render_example(tokenizer, record, max_length=4096), render_example(tokenizer, record, max_length=464)
    assert len(cut.input_ids) == 464 < len(whole.input_ids)
    assert cut.input_ids == whole.input_ids[:464]
    assert cut.labels.count(IGNORE) == whole.labels.count(IGNORE)


def test_a_max_length_with_no_room_for_the_story_is_refused(tokenizer: Any) -> None:
    with pytest.raises(ValueError, match="raise max_length"):
        render_example(tokenizer, seed_stories("hi_part_a.jsonl", 1)[0], max_length=128)


def test_left_padding_does_not_change_an_examples_loss(tokenizer: Any, tiny_model_dir: Path) -> None:
    model = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir)).eval()
    short, long = (render_example(tokenizer, r, max_length=444 + 30 * i) for i, r in enumerate(seed_stories("hi_part_b.jsonl", 2)))
    with torch.no_grad():
        alone, alone_count = story_nll(model, collate([short], pad_id=tokenizer.pad_token_id))
        padded, _ = story_nll(model, collate([short, long], pad_id=tokenizer.pad_token_id))
        long_alone, _ = story_nll(model, collate([long], pad_id=tokenizer.pad_token_id))
    assert alone_count == short.story_tokens
    assert float(padded) == pytest.approx(float(alone) + float(long_alone), rel=1e-4)
