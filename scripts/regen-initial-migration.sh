#!/bin/sh
# Until the first release the schema is one migration, regenerated from the models.
# After a release, never use this: add a new migration with `flask db migrate` instead.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/0001_initial_schema.py
PORTVAKT_INSTANCE="$tmp" DATABASE_URL="sqlite:///$tmp/regen.db" .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001 >/dev/null 2>&1
rm -rf "$tmp"
echo "regenerated migrations/versions/0001_initial_schema.py"
