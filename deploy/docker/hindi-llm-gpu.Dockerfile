# hindi-llm-service on vLLM for NVIDIA GPU nodes (HINDI_LLM_ENGINE=vllm), on the official `vllm` wheel, which
# brings its CUDA build of torch; the host provides the driver (NVIDIA container toolkit). The model and its
# adapter are baked in (the task has no route to a model hub). The adapter must be the one trained on that base
# (its adapter_config.json's base_model_name_or_path; hindi_llm_service.settings.BUNDLED_ADAPTERS per offline base):
#   docker build -f deploy/docker/hindi-llm-gpu.Dockerfile .    # SmolLM2-135M-Instruct + storyscape-hi-smollm2
#   docker build -f deploy/docker/hindi-llm-gpu.Dockerfile \
#     --build-arg MODEL_DIR=.models/gemma3-270m --build-arg MODEL_NAME=gemma3-270m \
#     --build-arg ADAPTER_DIR=hindi-llm-service/adapters/storyscape-hi .          # Gemma 3 270M + storyscape-hi
# Either way the adapter is served as `storyscape-hi` (the name story-service asks for). vLLM serves one base per
# process, so the default is SmolLM2: its base also answers the English stories and suggestions that `make run`
# sends to `smollm2-135m-instruct` (STORY_LOCAL_ENGLISH_MODEL, PROMPT_HINDI_LLM_MODEL); Gemma writes better Hindi.
# Terraform's `service_images["hindi-llm-service"]` is this image (built with the production model and its adapter).
FROM python:3.11-slim
ARG MODEL_DIR=.models/smollm2-135m-instruct
ARG MODEL_NAME=smollm2-135m-instruct
ARG ADAPTER_DIR=hindi-llm-service/adapters/storyscape-hi-smollm2
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HINDI_LLM_ENGINE=vllm HINDI_LLM_HOST=0.0.0.0 HINDI_LLM_PORT=8000 \
    HINDI_LLM_MODEL_PATH=/models/base HINDI_LLM_MODEL_NAME=${MODEL_NAME} \
    HINDI_LLM_ADAPTERS='{"storyscape-hi": "/models/adapters/storyscape-hi"}' \
    HF_HUB_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
# Triton compiles small C launchers at run time: it needs a C compiler in the image.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 storyscape
RUN pip install vllm==0.33.0
WORKDIR /app
COPY common/ common/
COPY hindi-llm-service/ hindi-llm-service/
# Our code on vLLM's own torch/transformers: the service's pins are for the CPU engine, which this image never runs.
RUN pip install ./common && pip install --no-deps ./hindi-llm-service
COPY ${MODEL_DIR}/ /models/base/
COPY ${ADAPTER_DIR}/ /models/adapters/storyscape-hi/
# The container health check: restarts a server whose event loop has stopped answering (docker-compose.yml).
COPY deploy/docker/healthcheck.py /usr/local/bin/storyscape-healthcheck
USER storyscape
EXPOSE 8000
# `python -m` keeps the main guard vLLM needs: its engine core is a spawned process that re-imports __main__.
CMD ["python", "-m", "hindi_llm_service"]
