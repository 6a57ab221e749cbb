#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the database tests and print its URL.
# Installs Debian's postgresql package when it is missing. Stop it with:
#   pg_ctl -D <data dir printed on stderr> stop
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends postgresql >/dev/null
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
data=$(mktemp -d /tmp/careerbot-pg.XXXXXX)
# a free port, so that a second server (another checkout) does not collide
port=${CAREERBOT_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}

as_owner=()
if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$data"
    as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bin/initdb" -D "$data" -A trust -U careerbot -E UTF8 >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" \
    -o "-h 127.0.0.1 -p $port -k $data" -w start >/dev/null
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $data" >&2
echo "postgresql+asyncpg://careerbot@127.0.0.1:$port/postgres"
