#!/bin/sh
# A private PostgreSQL server for the tests: its own data directory and port, never the system one.
# Usage: scripts/pg-test.sh start DIR PORT   |   scripts/pg-test.sh stop DIR
#        scripts/pg-test.sh restart DIR PORT SECONDS  (crash it, stay down SECONDS, start again: data kept)
set -eu
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "portvakt: PostgreSQL server binaries not found" >&2; exit 1; }

as_owner() {
    # PostgreSQL refuses to run as root; run it as the postgres user then.
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

serve() {
    as_owner "$bindir/pg_ctl" -D "$1" -l "$1/server.log" -w \
        -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}

case "$1" in
start)
    dir=$2 port=$3
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir" -A trust -U portvakt -E UTF8 --locale=C.UTF-8 >/dev/null
    serve "$dir" "$port"
    as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U portvakt portvakt_test
    ;;
restart)
    dir=$2 port=$3
    as_owner "$bindir/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null
    sleep "${4:-0}"
    serve "$dir" "$port"
    ;;
stop)
    dir=$2
    as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac
