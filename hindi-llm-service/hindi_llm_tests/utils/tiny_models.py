"""Tiny random models for tests: the shared tiny Llama, made to never stop on its own, plus a LoRA adapter."""

from __future__ import annotations

from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from storyscape_devtools.tiny_llama import build_tiny_llama
from transformers import AutoModelForCausalLM

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def build_test_model(directory: Path) -> Path:
    """The shared tiny Llama, built so greedy answers end only at max_tokens or a stop string."""
    return build_tiny_llama(directory, seed=0, endless=True)


def build_lora_adapter(*, model_dir: Path, directory: Path, seed: int = 1) -> Path:
    """A PEFT LoRA adapter with random, non-zero A and B, so it visibly changes what the model says."""
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    config = LoraConfig(r=8, lora_alpha=16, target_modules=LORA_TARGETS, init_lora_weights=False, task_type="CAUSAL_LM")
    get_peft_model(model, config).save_pretrained(str(directory))
    return directory
