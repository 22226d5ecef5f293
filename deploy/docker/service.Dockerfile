# One image shape for every Python service:
#   docker build -f deploy/docker/service.Dockerfile \
#     --build-arg SERVICE=history-service --build-arg MODULE=history_service --build-arg ENV_PREFIX=HISTORY_ .
# SERVICE, MODULE and ENV_PREFIX are the registry's (storyscape_common.registry): directory, module, env prefix.
FROM python:3.11-slim
ARG SERVICE
ARG MODULE
ARG ENV_PREFIX
# The server listens on 0.0.0.0:8000 in its container; <PREFIX>HOST / <PREFIX>PORT given at run time override this.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MODULE=${MODULE} \
    ${ENV_PREFIX}HOST=0.0.0.0 ${ENV_PREFIX}PORT=8000
RUN useradd --create-home --uid 10001 storyscape
WORKDIR /app
COPY common/ common/
COPY safety/ safety/
COPY ${SERVICE}/ ${SERVICE}/
# hindi-llm-service's CPU engine needs torch: the CPU wheel index keeps CUDA builds out of the image.
# The services that moderate (story, media, prompt) install the shared moderation package from the same context.
RUN if [ "$SERVICE" = "hindi-llm-service" ]; then \
      pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0; fi \
 && case "$SERVICE" in story-service|media-service|prompt-service) SAFETY=./safety ;; *) SAFETY= ;; esac \
 && pip install ./common $SAFETY ./${SERVICE}
# The container health check: restarts a server whose event loop has stopped answering (docker-compose.yml).
COPY deploy/docker/healthcheck.py /usr/local/bin/storyscape-healthcheck
USER storyscape
EXPOSE 8000
# As `make run`: the service's own `python -m <module>`, i.e. storyscape_common.server (header limits and deadline,
# connection cap, keep-alive and graceful-shutdown settings), never plain uvicorn. `exec`: the server gets the signals.
CMD ["sh", "-c", "exec python -m \"$MODULE\""]
