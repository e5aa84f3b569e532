#!/bin/sh
# `make test`: the suite on SQLite, then everything that touches the database again on PostgreSQL.
set -eu
cd "$(dirname "$0")/.."
scripts/system-deps.sh libzbar0 chromium postgresql libatomic1  # libatomic1: Playwright's driver (node) links it
export PORTVAKT_INSTANCE="$(mktemp -d)"
PY=.venv/bin/python

echo "=== known vulnerabilities in the pinned requirements (pip-audit) ==="
$PY scripts/audit_deps.py

echo "=== tests on SQLite ==="
unset DATABASE_URL
$PY -m pytest -q "$@"

echo "=== tests on PostgreSQL ==="
pgparent="$(mktemp -d)"; chmod 755 "$pgparent"  # the postgres user must reach its data directory
pgdir="$pgparent/pg"
pgport=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'scripts/pg-test.sh stop "$pgdir"' EXIT INT TERM
if ! scripts/pg-test.sh start "$pgdir" "$pgport"; then
    echo "!!! PostgreSQL could not be started: the PostgreSQL half of the suite did NOT run !!!" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
fi
DATABASE_URL="postgresql+psycopg://portvakt@127.0.0.1:$pgport/portvakt_test" \
    $PY -m pytest -q -p no:cacheprovider --database-only "$@"
