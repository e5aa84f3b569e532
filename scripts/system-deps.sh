#!/bin/sh
# Install Debian packages the product needs when they are missing (as root), or say what to do.
# Usage: scripts/system-deps.sh PACKAGE...
set -eu
missing=""
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "portvakt: missing Debian packages:$missing" >&2
    echo "portvakt: run as root, or: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "portvakt: installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
