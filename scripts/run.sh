#!/bin/bash
# `make run`: migrate, seed the demo once, start the card-service emulator and the web app.
# Ctrl-C stops everything this script started.
set -euo pipefail
# Everything this script and its children create is for this user only: the SQLite database (and
# its -wal/-shm files, which SQLite makes with the database's mode), instance/secret_key and
# instance/demo-accounts.txt (passwords). The app sets the same umask itself (app/boot.py).
umask 077
cd "$(dirname "$0")/.."
PY=.venv/bin/python
FLASK=".venv/bin/flask --app wsgi"
PORT=${PORTVAKT_PORT:-8000}
SIM_PORT=${CARDSIM_PORT:-8100}
INSTANCE=${PORTVAKT_INSTANCE:-$PWD/instance}
mkdir -p -m 700 "$INSTANCE"
export CARDSIM_DATA=${CARDSIM_DATA:-$INSTANCE/cardsim.json}
export CARD_SERVICE_URL=${CARD_SERVICE_URL:-http://127.0.0.1:$SIM_PORT}
export CARD_SERVICE_TOKEN=${CARD_SERVICE_TOKEN:-dev-token}
# HMSREG and ELRAPP: the emulator (registersim/) with the app's development credentials.
REG_PORT=${REGISTERSIM_PORT:-8200}
export HMSREG_URL=${HMSREG_URL:-http://127.0.0.1:$REG_PORT} ELRAPP_URL=${ELRAPP_URL:-http://127.0.0.1:$REG_PORT}

pids=()
stop_all() {
    trap - INT TERM EXIT
    echo; echo "Stopper / stopping..."
    for pid in "${pids[@]}"; do
        pkill -TERM -P "$pid" 2>/dev/null || true  # a timer loop's sleep, or a command it runs
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

# A bad DATABASE_URL or an unreachable database stops here with flask's one-line message.
$FLASK db upgrade 2> "$INSTANCE/.upgrade.log" || { grep -v "^INFO" "$INSTANCE/.upgrade.log" >&2; exit 1; }
seed_log=$INSTANCE/demo-accounts.txt
$FLASK demo seed --if-empty > "$INSTANCE/.seed.out"
if grep -q "Demodata lagt inn" "$INSTANCE/.seed.out"; then mv "$INSTANCE/.seed.out" "$seed_log"; else rm -f "$INSTANCE/.seed.out"; fi
$FLASK demo cards --out "$INSTANCE/demo-cards.pdf" >/dev/null 2>&1 || true

$PY -m cardsim --host 127.0.0.1 --port "$SIM_PORT" --data "$CARDSIM_DATA" --token="$CARD_SERVICE_TOKEN" \
    --test-controls & pids+=($!)

$PY -m registersim --host 127.0.0.1 --port "$REG_PORT" --test-controls & pids+=($!)
# Deliveries to HMSREG and ELRAPP (the outbox) every minute; in production a systemd timer (README).
( while sleep 60; do $FLASK connectors sync >/dev/null 2>&1 || true; done ) & pids+=($!)

# E-mail: a catch-all SMTP server whose messages are shown at a URL; notify runs every minute.
MAIL_PORT=${DEVMAIL_PORT:-8025}
MAIL_WEB=${DEVMAIL_WEB_PORT:-8026}
export SMTP_HOST=${SMTP_HOST:-127.0.0.1} SMTP_PORT=${SMTP_PORT:-$MAIL_PORT} SMTP_TLS=${SMTP_TLS:-off}
export PORTVAKT_BASE_URL=${PORTVAKT_BASE_URL:-http://127.0.0.1:$PORT}
$PY scripts/devmail.py --smtp-port "$MAIL_PORT" --http-port "$MAIL_WEB" & pids+=($!)
( while sleep 60; do $FLASK notify run >/dev/null 2>&1 || true; done ) & pids+=($!)

# Background duties: re-verify unverified scans and close finished days every 5 minutes, purge nightly.
( while sleep 300; do $FLASK cards reverify >/dev/null 2>&1 || true; done ) & pids+=($!)
( while sleep 300; do $FLASK attendance close-day >/dev/null 2>&1 || true; done ) & pids+=($!)
( while true; do $FLASK retention purge >/dev/null 2>&1 || true; sleep 86400; done ) & pids+=($!)

# No access log: share-link and self-service tokens travel in URL paths and must not be logged.
# Workers and threads: gunicorn.conf.py.
.venv/bin/gunicorn --bind "127.0.0.1:$PORT" wsgi:app & pids+=($!)

sleep 1
cat <<INFO

  Portvakt kjører / is running:  http://127.0.0.1:$PORT/
  Kortemulator / card-service emulator: http://127.0.0.1:$SIM_PORT/
  E-post (utvikling) / e-mail sent (development): http://127.0.0.1:$MAIL_WEB/
  HMSREG/ELRAPP-emulator / register emulator: http://127.0.0.1:$REG_PORT/_sim/received
  Demokontoer og passord / demo accounts and passwords (made at first start, readable only by you):
    $seed_log
  Demo-HMS-kort til utskrift / printable demo HMS cards: $INSTANCE/demo-cards.pdf
INFO
# The passwords stay in that file: this output often ends up in a log (systemd, CI, nohup).
echo "  Ctrl-C stopper alt / stops everything."
wait -n "${pids[@]}"
