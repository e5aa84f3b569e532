#!/bin/sh
# Create .venv and install the pinned requirements. Usage: scripts/setup.sh requirements.txt
set -eu
cd "$(dirname "$0")/.."
req=${1:-requirements.txt}
# libzbar0: pyzbar's decoder; fonts-dejavu-core: the kiosk panel draws æøå, ł and ė with DejaVu Sans.
scripts/system-deps.sh libzbar0 fonts-dejavu-core
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || { echo "portvakt: python3 -m venv failed; install python3-venv" >&2; exit 1; }
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
