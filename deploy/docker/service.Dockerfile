# One image shape for every Python service:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=history-service --build-arg MODULE=history_service .
FROM python:3.11-slim
ARG SERVICE
ARG MODULE
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MODULE=${MODULE}
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
CMD ["sh", "-c", "exec uvicorn --factory ${MODULE}.main:create_app --host 0.0.0.0 --port 8000 --no-access-log"]
