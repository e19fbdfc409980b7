#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an empty media storage.
# README «Operations».
#
#   createdb portal_restored
#   DATABASE_URL=postgres:///portal_restored MEDIA_ROOT=/srv/portal/media \
#     scripts/restore.sh var/backups/portal-20250101T020000Z
#
# Refuses (and changes nothing) when the checksums do not match, when the database already has
# tables or when MEDIA_ROOT is not empty: a restore never mixes with live data. The database is
# restored in one transaction (all or nothing), without the original owner and grants, so any
# role that may create tables in it can restore. Then run `manage.py migrate` if the release
# is newer than the backup, and start the app.
set -euo pipefail
cd "$(dirname "$0")/.."

backup=${1:?usage: scripts/restore.sh BACKUP_DIR}
DATABASE_URL=${DATABASE_URL:-postgres:///portal}
MEDIA_ROOT=${MEDIA_ROOT:-var/media}

case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *)
    echo "restore: DATABASE_URL must be a postgres:// URL" >&2
    exit 2
    ;;
esac

for file in database.dump media.tar.gz SHA256SUMS; do
  if [ ! -f "$backup/$file" ]; then
    echo "restore: $backup/$file is missing; not a backup made by scripts/backup.sh" >&2
    exit 1
  fi
done
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || {
  echo "restore: checksums do not match; the backup is damaged" >&2
  exit 1
}

tables=$(psql -X -q -t -A -v ON_ERROR_STOP=1 --dbname="$DATABASE_URL" \
  -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != 0 ]; then
  echo "restore: the target database has $tables tables; restore into a new, empty one" >&2
  exit 1
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore: MEDIA_ROOT $MEDIA_ROOT is not empty" >&2
  exit 1
fi

pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$backup/database.dump"
psql -X -q -v ON_ERROR_STOP=1 --dbname="$DATABASE_URL" -c "ANALYZE"

mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$backup/media.tar.gz"

echo "restore: $backup restored into the database and $MEDIA_ROOT"
