"""Corpus records → chat-formatted token ids with labels on the assistant's story only, and left-padded batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from storyscape_common.story_prompts import story_messages
from training.dataset.corpus import Record

IGNORE = -100
# A stage whose max_length leaves fewer story tokens than this after the prompt is a config mistake.
MIN_STORY_TOKENS = 8


@dataclass(frozen=True)
class Example:
    input_ids: list[int]
    labels: list[int]

    @property
    def story_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


@dataclass(frozen=True)
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    position_ids: torch.Tensor
    labels: torch.Tensor

    @property
    def tokens(self) -> int:
        return int(self.attention_mask.sum())

    @property
    def story_tokens(self) -> int:
        return int((self.labels != IGNORE).sum())

    def to(self, device: torch.device) -> Batch:
        return Batch(*(tensor.to(device) for tensor in (self.input_ids, self.attention_mask, self.position_ids, self.labels)))


def request_messages(record: Record) -> list[dict[str, str]]:
    """The system + user messages story-service would send for this record (its title is the story idea)."""
    return story_messages(language=record["language"], age_group=record["age_group"], genres=[record["genre"]], prompt=record["title"])


def story_text(record: Record) -> str:
    """What the assistant answers: the title on its own line, then the story."""
    return f"{record['title']}\n\n{record['text']}"


def prompt_text(tokenizer: Any, record: Record) -> str:
    return str(tokenizer.apply_chat_template(request_messages(record), tokenize=False, add_generation_prompt=True))


def encode(tokenizer: Any, text: str) -> list[int]:
    # The chat template writes its own special tokens into the text; the tokenizer must not add more.
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def render_example(tokenizer: Any, record: Record, *, max_length: int) -> Example:
    """Prompt tokens (label -100) then story tokens; the story is cut to fit `max_length`, the prompt never is."""
    messages = request_messages(record)
    prompt = prompt_text(tokenizer, record)
    full = str(tokenizer.apply_chat_template([*messages, {"role": "assistant", "content": story_text(record)}], tokenize=False))
    if not full.startswith(prompt):
        raise ValueError("the chat template renders a conversation that does not extend its generation prompt")
    # Encoding the two parts apart gives the same prompt tokens generation starts from.
    prompt_ids, story_ids = encode(tokenizer, prompt), encode(tokenizer, full[len(prompt) :])
    room = max_length - len(prompt_ids)
    if room < MIN_STORY_TOKENS:
        raise ValueError(
            f"max_length {max_length} leaves {room} story tokens after the {len(prompt_ids)}-token prompt "
            f"of record {record.get('id')!r}: raise max_length"
        )
    story_ids = story_ids[:room]
    return Example(input_ids=prompt_ids + story_ids, labels=[IGNORE] * len(prompt_ids) + story_ids)


def collate(examples: Sequence[Example], *, pad_id: int) -> Batch:
    """Left-padded tensors; positions count real tokens only, so padding does not shift a row."""
    width = max(len(example.input_ids) for example in examples)
    ids, mask, labels = [], [], []
    for example in examples:
        pad = width - len(example.input_ids)
        ids.append([pad_id] * pad + example.input_ids)
        mask.append([0] * pad + [1] * len(example.input_ids))
        labels.append([IGNORE] * pad + example.labels)
    attention_mask = torch.tensor(mask)
    position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)
    return Batch(torch.tensor(ids), attention_mask, position_ids, torch.tensor(labels))
