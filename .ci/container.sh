#!/usr/bin/env bash
# CI: build the container image and check it for real (README, "Container"). Run by .ci/run with
# the project's virtualenv active: the Discord emulator and the checks run on the host from it.
#
#   bash .ci/container.sh                         # the default image
#   CAREERBOT_CI_EXTRAS=st bash .ci/container.sh  # with the sentence-transformers extra
#
# Needs root when there is no Docker engine yet (it installs Debian's docker.io and starts
# dockerd, left running for the next build) or when the base image cannot be pulled (it is then
# bootstrapped from Debian's packages with mmdebstrap, once, and kept as $LOCAL_BASE).
set -euo pipefail
cd "$(dirname "$0")/.."

extras=${CAREERBOT_CI_EXTRAS:-}
IMAGE=careerbot:ci${extras:+-${extras//,/-}}
LOCAL_BASE=careerbot-base:bookworm-python3
# the PATH of the official images (an imported image has none, and ENV PATH=…:$PATH needs one)
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
started=$SECONDS

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
        { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "$@" >/dev/null; }
}

# --- an engine ----------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null; then
        echo "container: installing a Docker engine (docker.io)" >&2
        apt_install docker.io
    fi
    echo "container: starting dockerd (log: /var/log/careerbot-dockerd.log)" >&2
    setsid dockerd >/var/log/careerbot-dockerd.log 2>&1 </dev/null &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    # another build may have started its own dockerd meanwhile: any engine that answers will do
    docker info >/dev/null 2>&1 || { tail -20 /var/log/careerbot-dockerd.log >&2; exit 1; }
fi

# --- the base image -----------------------------------------------------------------------------
base=$(sed -n 's/^ARG PYTHON_IMAGE=//p' Dockerfile)
if ! docker image inspect "$base" >/dev/null 2>&1 && ! docker pull -q "$base" >/dev/null 2>&1; then
    echo "container: cannot pull $base; using $LOCAL_BASE, Debian bookworm's Python 3.11" >&2
    base=$LOCAL_BASE
    if ! docker image inspect "$base" >/dev/null 2>&1; then
        command -v mmdebstrap >/dev/null || apt_install mmdebstrap
        # How this host reaches Debian's archive, when it is a bookworm host; else the default.
        mirrors=()
        if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = bookworm ] &&
            [ -f /etc/apt/sources.list.d/debian.sources ]; then
            mirrors=(/etc/apt/sources.list.d/debian.sources)
        fi
        bootstrap_started=$SECONDS
        # What python:3.11-slim has: Python 3.11 with venv and pip, CA certificates, no manuals,
        # documentation or translations; merged /usr without the usrmerge package (and its perl).
        mmdebstrap --variant=minbase --quiet \
            --include=python3,python3-venv,python3-pip,ca-certificates \
            --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
            --dpkgopt='path-exclude=/usr/share/doc/*' \
            --dpkgopt='path-include=/usr/share/doc/*/copyright' \
            --dpkgopt='path-exclude=/usr/share/man/*' \
            --dpkgopt='path-exclude=/usr/share/info/*' \
            --dpkgopt='path-exclude=/usr/share/locale/*' \
            bookworm - "${mirrors[@]}" |
            docker import --change "ENV PATH=$DEFAULT_PATH" --change 'ENV LANG=C.UTF-8' \
                --change 'CMD ["python3"]' - "$base" >/dev/null
        echo "container: bootstrapped $base in $((SECONDS - bootstrap_started)) s" >&2
    fi
fi

# --- build and check ----------------------------------------------------------------------------
iidfile=$(mktemp)
trap 'rm -f "$iidfile"' EXIT
build_started=$SECONDS
# TORCH_INDEX_URL empty: torch, for the st extra, comes through this host's pip configuration too.
python .ci/container_build.py --tag "$IMAGE" --iidfile "$iidfile" -- \
    --build-arg PYTHON_IMAGE="$base" --build-arg TORCH_INDEX_URL= \
    --build-arg EXTRAS="$extras"
build_seconds=$((SECONDS - build_started))
image=$(cat "$iidfile")
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "container: built $IMAGE in ${build_seconds} s, $((size / 1000000)) MB" >&2

check_started=$SECONDS
python .ci/container_check.py "$image"
echo "container: checked in $((SECONDS - check_started)) s; $((SECONDS - started)) s in all" >&2
