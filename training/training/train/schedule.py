"""Linear warmup then linear decay, never at zero: with a handful of CPU steps, a zero-rate step would be wasted."""

from __future__ import annotations

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


def linear_warmup_decay(optimizer: Optimizer, *, warmup_steps: int, total_steps: int) -> LambdaLR:
    """Step s runs at rate × (s+1)/(warmup+1) while warming up, then × (total−s)/(total−warmup)."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / (warmup_steps + 1)
        return max(total_steps - step, 1) / max(total_steps - warmup_steps, 1)

    return LambdaLR(optimizer, factor)
