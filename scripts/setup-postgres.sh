#!/usr/bin/env bash
# Start the local PostgreSQL 15 cluster and create the `root` superuser role and the `portal`
# database. Idempotent: every step checks first, so running it again is cheap and harmless.
# Tests create their own database (test_portal) via pytest-django; the role needs CREATEDB for that
# (it is a superuser).
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
DB_NAME=portal
DB_ROLE=$(id -un)

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "setup-postgres: pg_ctlcluster not found; run scripts/setup-system.sh first" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
  as_postgres() { su postgres -c "$*"; }
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
  as_postgres() { sudo -u postgres sh -c "$*"; }
else
  echo "setup-postgres: need root or sudo to manage the cluster" >&2
  exit 1
fi

if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/$PG_CLUSTER"; then
  echo "setup-postgres: creating cluster $PG_VERSION/$PG_CLUSTER"
  "${SUDO[@]}" pg_createcluster "$PG_VERSION" "$PG_CLUSTER"
fi

status=$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}')
if [ "$status" != "online" ]; then
  echo "setup-postgres: starting cluster $PG_VERSION/$PG_CLUSTER"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
fi

# Wait until the server accepts connections (start returns before that on a slow machine).
for _ in $(seq 1 30); do
  if as_postgres "pg_isready -q"; then break; fi
  sleep 1
done
as_postgres "pg_isready -q" || { echo "setup-postgres: server not ready" >&2; exit 1; }

if [ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$DB_ROLE'\"")" != "1" ]; then
  echo "setup-postgres: creating superuser role $DB_ROLE"
  as_postgres "createuser -s '$DB_ROLE'"
fi

if [ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$DB_NAME'\"")" != "1" ]; then
  echo "setup-postgres: creating database $DB_NAME owned by $DB_ROLE"
  as_postgres "createdb -O '$DB_ROLE' '$DB_NAME'"
fi

echo "setup-postgres: ready. Use DATABASE_URL=postgres:///$DB_NAME (Unix socket, user $DB_ROLE)"
