"""The base model (NF4 4-bit via bitsandbytes, or full precision), its tokenizer, and the LoRA wrapper around it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training
from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig, PreTrainedModel

from training.config import ModelConfig

DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
ADAPTER_WEIGHTS = "adapter_model.safetensors"


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_tokenizer(model: ModelConfig) -> Any:
    """The base model's tokenizer, padding on the left so every row's story ends at the last position."""
    tokenizer = AutoTokenizer.from_pretrained(model.base)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def load_base_model(model: ModelConfig, *, quantize: bool = True) -> PreTrainedModel:
    """The base model in `compute_dtype`; NF4-quantised when the config asks for QLoRA and `quantize` is set."""
    dtype = DTYPES[model.compute_dtype]
    kwargs: dict[str, Any] = {"dtype": dtype, "device_map": {"": str(device())}}
    if quantize and model.quantization == "nf4":
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype, bnb_4bit_use_double_quant=True
        )
    return AutoModelForCausalLM.from_pretrained(model.base, **kwargs)


def lora_config(model: ModelConfig) -> LoraConfig:
    lora = model.lora
    return LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )


def trainable_model(model: ModelConfig, *, seed: int) -> PeftModel:
    """Base (quantised for QLoRA) + freshly initialised LoRA; the seed fixes the LoRA A matrices."""
    base = load_base_model(model)
    checkpointing = {"use_reentrant": False}
    if model.quantization == "nf4":
        base = prepare_model_for_kbit_training(
            base, use_gradient_checkpointing=model.gradient_checkpointing, gradient_checkpointing_kwargs=checkpointing
        )
    elif model.gradient_checkpointing:
        base.gradient_checkpointing_enable(gradient_checkpointing_kwargs=checkpointing)
        base.enable_input_require_grads()
    torch.manual_seed(seed)
    peft_model = get_peft_model(base, lora_config(model))
    assert isinstance(peft_model, PeftModel)
    return peft_model


def lora_weights(model: PeftModel) -> dict[str, torch.Tensor]:
    """The adapter's tensors as saved (cloned to CPU)."""
    return {name: tensor.detach().to("cpu", copy=True) for name, tensor in get_peft_model_state_dict(model).items()}


def load_lora_weights(model: PeftModel, adapter_dir: Path) -> None:
    """Overwrite the model's LoRA tensors with a saved adapter's; every saved tensor must find its place."""
    state = load_file(str(adapter_dir / ADAPTER_WEIGHTS), device=str(device()))
    result: Any = set_peft_model_state_dict(model, state)
    if result.unexpected_keys:
        raise ValueError(f"{adapter_dir} holds tensors this model has no place for: {result.unexpected_keys[:3]}")
    missing = [key for key in result.missing_keys if "lora_" in key]
    if missing:
        raise ValueError(f"{adapter_dir} lacks LoRA tensors the model has: {missing[:3]}")
