#!/usr/bin/env bash
# Create .venv and make it match requirements.lock exactly (uv pip sync).
# Fast when already done: the sync is skipped while requirements.lock is unchanged since the last
# successful sync (checksum stamp inside .venv).
# To change dependencies: edit pyproject.toml, then
#   .venv/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
LOCK=requirements.lock
STAMP=$VENV/.requirements.lock.sha256
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup-python: creating $VENV with $("$PYTHON" --version)"
  "$PYTHON" -m venv "$VENV"
fi

# uv is pinned in requirements.lock (dev extra) so that `uv pip sync` keeps it installed.
if [ ! -x "$VENV/bin/uv" ]; then
  echo "setup-python: installing uv into $VENV"
  "$VENV/bin/python" -m pip install -q "$(grep -E '^uv==' "$LOCK" || echo uv)"
fi

want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "setup-python: $VENV matches $LOCK"
  exit 0
fi

# uv does not read pip.conf; pass pip's configured extra indexes / find-links on to uv so the
# machine's local mirrors are used as configured. best-match: a local index that has only some
# versions of a package must not hide the pinned version on PyPI.
if [ -z "${UV_EXTRA_INDEX_URL:-}" ]; then
  extra=$("$VENV/bin/python" -m pip config get global.extra-index-url 2>/dev/null || true)
  [ -n "$extra" ] && export UV_EXTRA_INDEX_URL="$extra"
fi
if [ -z "${UV_FIND_LINKS:-}" ]; then
  links=$("$VENV/bin/python" -m pip config get global.find-links 2>/dev/null || true)
  [ -n "$links" ] && export UV_FIND_LINKS="$links"
fi
export UV_INDEX_STRATEGY=${UV_INDEX_STRATEGY:-unsafe-best-match}

echo "setup-python: syncing $VENV with $LOCK"
VIRTUAL_ENV=$VENV "$VENV/bin/uv" pip sync --python "$VENV/bin/python" "$LOCK"
echo "$want" >"$STAMP"
echo "setup-python: done"
