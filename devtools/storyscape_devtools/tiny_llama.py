"""A tiny randomly initialised Llama (byte-level BPE tokenizer, ChatML template) for tests and CPU dry runs.

torch, transformers and tokenizers are imported inside the functions: services that never build a model
do not need them installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BOS_TOKEN, EOS_TOKEN, UNK_TOKEN = "<|im_start|>", "<|im_end|>", "<|endoftext|>"
SPECIAL_TOKENS = [UNK_TOKEN, BOS_TOKEN, EOS_TOKEN]
VOCAB_SIZE = 512
# The same ChatML layout as SmolLM2-Instruct, without its built-in system prompt.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# Enough English and Devanagari text for the BPE trainer to learn merges in both scripts.
TOKENIZER_CORPUS = [
    "Once upon a time a little fox lived at the edge of a quiet forest.",
    "The children sat under the mango tree and listened to the story.",
    "A brave rabbit found a shiny stone near the river and shared it with friends.",
    "The moon smiled at the sleepy village, and everyone went home happy.",
    "एक समय की बात है, एक छोटा सा खरगोश जंगल में रहता था।",
    "बच्चे आम के पेड़ के नीचे बैठकर कहानी सुन रहे थे।",
    "चाँद ने गाँव को देखकर मुस्कुराया और सब खुशी से घर लौट आए।",
    "नदी के किनारे एक चमकीला पत्थर मिला, जिसे उसने अपने दोस्तों के साथ बाँटा।",
]


def build_tiny_tokenizer() -> Any:
    """A byte-level BPE tokenizer (any text encodes, Hindi included) with ChatML special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(TOKENIZER_CORPUS * 4, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=BOS_TOKEN,
        eos_token=EOS_TOKEN,
        unk_token=UNK_TOKEN,
        pad_token=EOS_TOKEN,
        chat_template=CHAT_TEMPLATE,
    )


def build_tiny_llama(directory: Path, *, seed: int = 0, endless: bool = False) -> Path:
    """Write a random 2-layer Llama (hidden size 64) and its tokenizer to `directory`; returns `directory`.

    `endless` pins the end-of-turn logit to 0, which random logits beat: greedy decoding then runs until
    max_tokens or a stop string, so tests control exactly where an answer ends.
    """
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    tokenizer = build_tiny_tokenizer()
    eos_id, bos_id = tokenizer.convert_tokens_to_ids(EOS_TOKEN), tokenizer.convert_tokens_to_ids(BOS_TOKEN)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        pad_token_id=eos_id,
    )
    model = LlamaForCausalLM(config)
    if endless:
        with torch.no_grad():
            model.lm_head.weight[eos_id].zero_()
    model.generation_config = GenerationConfig(bos_token_id=bos_id, eos_token_id=eos_id, pad_token_id=eos_id)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))
    return directory
