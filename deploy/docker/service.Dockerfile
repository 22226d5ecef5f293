# One image shape for every Python service:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=history-service --build-arg MODULE=history_service .
FROM python:3.11-slim
ARG SERVICE
ARG MODULE
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MODULE=${MODULE}
RUN useradd --create-home --uid 10001 storyscape
WORKDIR /app
COPY common/ common/
COPY ${SERVICE}/ ${SERVICE}/
# hindi-llm-service's CPU engine needs torch: the CPU wheel index keeps CUDA builds out of the image.
RUN if [ "$SERVICE" = "hindi-llm-service" ]; then \
      pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0; fi \
 && pip install ./common ./${SERVICE}
USER storyscape
EXPOSE 8000
CMD ["sh", "-c", "exec uvicorn --factory ${MODULE}.main:create_app --host 0.0.0.0 --port 8000 --no-access-log"]
