# syntax=docker/dockerfile:1
# Guichet: build the virtual environment in one stage, run it as a non-root user in another.

FROM python:3.11-slim-bookworm AS build
WORKDIR /app
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /venv
COPY requirements.lock ./
RUN /venv/bin/pip install --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intake ./intake
COPY nlp ./nlp
RUN /venv/bin/pip install --no-deps .

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="Guichet" \
      org.opencontainers.image.description="Intake bot for an IT service desk"
RUN useradd --system --uid 10001 --home-dir /srv/guichet --create-home guichet
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    GUICHET_DATA_DIR=/srv/guichet/var \
    GUICHET_HTTP_HOST=0.0.0.0 \
    GUICHET_HTTP_PORT=8080
USER 10001
WORKDIR /srv/guichet
EXPOSE 8080
VOLUME ["/srv/guichet/var"]
# Liveness is GET /healthz (the process answers), readiness GET /readyz (classifier loaded, store
# writable, connectors running, mail and Slack delivering; 503 naming the part otherwise).
# Docker's one health check reports readiness, so `docker ps`, compose's `service_healthy` and
# monitoring turn red while SMTP is down or the model is still loading (start period: the model
# loads in about a minute on a small machine). Kubernetes ignores HEALTHCHECK: give it
# livenessProbe /healthz and readinessProbe /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as u\ntry:\n    u.urlopen('http://127.0.0.1:8080/readyz', timeout=4)\nexcept Exception as exc:\n    sys.exit(f'not ready: {exc}')"]
# --migrate applies pending migrations (idempotent) before serving.
CMD ["python", "-m", "bot", "serve", "--migrate"]
