"""The running batch: every active sequence in one left-padded KV cache, so one forward pass advances them all.

Rows are right-aligned in a shared frame of `length` columns; `mask` marks each row's real tokens (1) and its
left padding (0). New rows arrive as `Prefilled` (one prompt's KV cache and last logits) and are spliced in;
finished rows are dropped and columns that are padding for every remaining row are trimmed. Caches of plain and
sliding-window attention layers are supported (Llama, SmolLM2, Gemma 3, ...): a sliding layer keeps only the
frame's last columns, still right-aligned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

PAD_ID = 0  # any valid id: padded positions are masked out
KV = tuple[torch.Tensor, torch.Tensor] | None  # one layer's keys and values, [1, heads, seq, dim]; None: layer unused


@dataclass(frozen=True)
class Prefilled:
    """One prompt after its prefill pass: per-layer KV, its token count, and the logits for its first token."""

    layers: list[KV]
    length: int
    logits: torch.Tensor


def left_padded(prompts: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids and attention mask for prompts of different lengths, padded on the left."""
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
        mask[row, width - len(prompt) :] = 1
    return ids, mask


def positions(mask: torch.Tensor, new: int) -> torch.Tensor:
    """Each row's position ids for its last `new` columns: real tokens counted from 0, padding ignored."""
    return (mask.cumsum(-1) - 1).clamp(min=0)[:, -new:]


def split_prefill(cache: Any, lengths: Sequence[int], logits: torch.Tensor) -> list[Prefilled]:
    """A left-padded prefill pass's output, one `Prefilled` per row with its padding cut off."""
    rows = []
    for row, length in enumerate(lengths):
        layers: list[KV] = []
        for layer in cache.layers:
            if not getattr(layer, "is_initialized", False):
                layers.append(None)
                continue
            kept = min(layer.keys.shape[-2], length)
            layers.append((layer.keys[row : row + 1, :, -kept:].clone(), layer.values[row : row + 1, :, -kept:].clone()))
        rows.append(Prefilled(layers, length, logits[row]))
    return rows


class Batch:
    """The shared KV cache and mask of the active rows (row order is the caller's list order)."""

    def __init__(self) -> None:
        self.cache: Any = None  # the model's cache object; kept (emptied) between batches to reuse its layer types
        self.mask = torch.zeros((0, 0), dtype=torch.long)

    @property
    def size(self) -> int:
        return int(self.mask.shape[0])

    def append_step(self) -> torch.Tensor:
        """Extend every row by one real column; returns the mask to pass with that step."""
        self.mask = torch.cat([self.mask, torch.ones((self.size, 1), dtype=torch.long)], dim=1)
        return self.mask

    def add(self, rows: Sequence[Prefilled], cache_template: Any) -> None:
        """Splice prefilled rows in below the current ones, padding everything to the longest on the left."""
        if self.cache is None:
            self.cache = cache_template
        length = max([self.mask.shape[1], *(r.length for r in rows)])
        for index, layer in enumerate(self.cache.layers):
            parts = [kv for kv in (r.layers[index] for r in rows) if kv is not None]
            if not parts:
                continue
            mine = [(layer.keys, layer.values)] if self.size else []
            width = max(kv[0].shape[-2] for kv in [*mine, *parts])
            layer.keys = torch.cat([_pad_left(k, width) for k, _ in [*mine, *parts]])
            layer.values = torch.cat([_pad_left(v, width) for _, v in [*mine, *parts]])
            layer.is_initialized = True
            if layer.is_sliding:
                layer.cumulative_length = length
        masks = [self.mask] if self.size else []
        masks += [torch.ones((1, r.length), dtype=torch.long) for r in rows]
        self.mask = torch.cat([_pad_left(m, length) for m in masks])

    def keep(self, rows: Sequence[int]) -> None:
        """Keep only `rows` (in that order), then trim columns that are padding in every remaining row."""
        if not rows:
            self.mask = torch.zeros((0, 0), dtype=torch.long)
            return
        index = torch.tensor(rows, dtype=torch.long)
        self.mask = self.mask[index]
        for layer in self.cache.layers:
            if getattr(layer, "is_initialized", False):
                layer.keys, layer.values = layer.keys[index], layer.values[index]
        self._trim()

    def _trim(self) -> None:
        used = self.mask.sum(dim=0).nonzero()
        unused = int(used[0]) if len(used) else 0
        if unused == 0:
            return
        length = self.mask.shape[1] - unused
        self.mask = self.mask[:, unused:]
        for layer in self.cache.layers:
            if not getattr(layer, "is_initialized", False):
                continue
            kept = min(layer.keys.shape[-2], length)
            layer.keys, layer.values = layer.keys[:, :, -kept:], layer.values[:, :, -kept:]
            if layer.is_sliding:
                layer.cumulative_length = length


def _pad_left(tensor: torch.Tensor, width: int) -> torch.Tensor:
    """Zero-pad the sequence axis (second to last for K/V [b, h, s, d]; last for a [b, s] mask) on the left."""
    if tensor.dim() == 2:
        return F.pad(tensor, (width - tensor.shape[-1], 0))
    return F.pad(tensor, (0, 0, width - tensor.shape[-2], 0))
