"""The running batch: every active sequence in one left-padded KV cache, so one forward pass advances them all.

Rows are right-aligned in a shared frame of `length` columns; `mask` marks each row's real tokens (1) and its
left padding (0). New rows are prefilled together and spliced in; finished rows are dropped and columns that
are padding for every remaining row are trimmed. Caches of plain and sliding-window attention layers are
supported (Llama, SmolLM2, Gemma 3, ...); a sliding layer keeps only the frame's last columns, still right-aligned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

PAD_ID = 0  # any valid id: padded positions are masked out


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


class Batch:
    """The shared KV cache and mask of the active rows (row order is the caller's list order)."""

    def __init__(self) -> None:
        self.cache: Any = None
        self.mask = torch.zeros((0, 0), dtype=torch.long)

    @property
    def size(self) -> int:
        return int(self.mask.shape[0])

    def append_step(self) -> torch.Tensor:
        """Extend every row by one real column; returns the mask to pass with that step."""
        self.mask = torch.cat([self.mask, torch.ones((self.size, 1), dtype=torch.long)], dim=1)
        return self.mask

    def splice(self, cache: Any, mask: torch.Tensor) -> None:
        """Add prefilled rows (their cache and mask) below the current ones."""
        if self.size == 0:
            self.cache, self.mask = cache, mask
            return
        length = max(self.mask.shape[1], mask.shape[1])
        for mine, theirs in zip(self.cache.layers, cache.layers, strict=True):
            if not getattr(mine, "is_initialized", False):
                continue
            width = max(mine.keys.shape[-2], theirs.keys.shape[-2])
            mine.keys = torch.cat([_pad_left(mine.keys, width), _pad_left(theirs.keys, width)])
            mine.values = torch.cat([_pad_left(mine.values, width), _pad_left(theirs.values, width)])
            if mine.is_sliding:
                mine.cumulative_length = length
        self.mask = torch.cat([_pad_left(self.mask, length), _pad_left(mask, length)])

    def keep(self, rows: Sequence[int]) -> None:
        """Keep only `rows` (in that order), then trim columns that are padding in every remaining row."""
        if not rows:
            self.cache, self.mask = None, torch.zeros((0, 0), dtype=torch.long)
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
