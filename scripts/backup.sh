#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database (pg_dump custom format) and the media storage
# (MEDIA_ROOT as a tar). Restore with scripts/restore.sh; README «Operations».
#
#   scripts/backup.sh [DEST]        DEST defaults to $BACKUP_DIR or var/backups
#
# Reads DATABASE_URL (default postgres:///portal) and MEDIA_ROOT (default var/media), the same
# variables as the app. Writes DEST/portal-<UTC time>/ with database.dump, media.tar.gz and
# SHA256SUMS, and prints that path. The backup is made in a hidden directory and renamed when
# complete, so a directory named portal-* is always whole. pg_dump takes a consistent snapshot
# while the portal keeps running; it must be at least the server's major version (15).
set -euo pipefail
cd "$(dirname "$0")/.."

DATABASE_URL=${DATABASE_URL:-postgres:///portal}
MEDIA_ROOT=${MEDIA_ROOT:-var/media}
dest_root=${1:-${BACKUP_DIR:-var/backups}}

case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *)
    echo "backup: DATABASE_URL must be a postgres:// URL (for SQLite, copy the file)" >&2
    exit 2
    ;;
esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
final=$dest_root/portal-$stamp
work=$dest_root/.portal-$stamp.partial
if [ -e "$final" ]; then
  echo "backup: $final exists already" >&2
  exit 1
fi
mkdir -p "$dest_root"
umask 077
mkdir "$work"
trap 'rm -rf "$work"' EXIT

pg_dump --format=custom --compress=6 --file="$work/database.dump" --dbname="$DATABASE_URL"
# A dump that pg_restore cannot read is not a backup.
pg_restore --list "$work/database.dump" >/dev/null

if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$work/media.tar.gz" .
else
  tar -czf "$work/media.tar.gz" --files-from=/dev/null
fi

(cd "$work" && sha256sum database.dump media.tar.gz >SHA256SUMS)
mv "$work" "$final"
trap - EXIT
echo "$final"
