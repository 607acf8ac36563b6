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
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
# --migrate applies pending migrations (idempotent) before serving.
CMD ["python", "-m", "bot", "serve", "--migrate"]
