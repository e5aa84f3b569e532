#!/bin/sh
# Nightly backup (portvakt-backup.timer): one file a day, kept BACKUP_KEEP_DAYS (30) days.
# Retention applies to backups too: a site's list deleted by `retention purge` is gone from every
# backup 30 days later. After a restore, run `flask retention purge` (docs/deploy.md).
set -eu
umask 077
dir=${BACKUP_DIR:-/var/backups/portvakt}
keep=${BACKUP_KEEP_DAYS:-30}
cd "$(dirname "$0")/.."
.venv/bin/flask --app wsgi backup create --out "$dir/portvakt-$(date +%Y-%m-%d).backup"
find "$dir" -maxdepth 1 -name 'portvakt-*.backup' -mtime +"$keep" -delete
