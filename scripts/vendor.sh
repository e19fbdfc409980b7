#!/usr/bin/env bash
# Refresh the pinned front-end assets in static/vendor/ from the npm registry (no bundler, no
# node_modules in the repo). Change a version here, run `make vendor`, review the diff, and update
# the versions in static/vendor/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

DS_CSS_VERSION=1.22.0
DS_THEME_VERSION=1.11.0
HTMX_VERSION=2.0.11

DEST=static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent \
  "@digdir/designsystemet-css@$DS_CSS_VERSION" \
  "@digdir/designsystemet-theme@$DS_THEME_VERSION" \
  "htmx.org@$HTMX_VERSION" >/dev/null)

for name in css theme; do mkdir -p "$tmp/$name"; done
mkdir -p "$tmp/htmx"
tar -xzf "$tmp/digdir-designsystemet-css-$DS_CSS_VERSION.tgz" -C "$tmp/css"
tar -xzf "$tmp/digdir-designsystemet-theme-$DS_THEME_VERSION.tgz" -C "$tmp/theme"
tar -xzf "$tmp/htmx.org-$HTMX_VERSION.tgz" -C "$tmp/htmx"

mkdir -p "$DEST/designsystemet/theme" "$DEST/htmx"
install -m 0644 "$tmp/css/package/dist/src/index.css" "$DEST/designsystemet/index.css"
install -m 0644 "$tmp/css/package/LICENSE" "$DEST/designsystemet/LICENSE"
install -m 0644 "$tmp/theme/package/brand/digdir.css" "$DEST/designsystemet/theme/digdir.css"
install -m 0644 "$tmp/theme/package/LICENSE" "$DEST/designsystemet/theme/LICENSE"
install -m 0644 "$tmp/htmx/package/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
install -m 0644 "$tmp/htmx/package/LICENSE" "$DEST/htmx/LICENSE"

(cd "$DEST" && sha256sum designsystemet/index.css designsystemet/theme/digdir.css htmx/htmx.min.js \
  >SHA256SUMS)
echo "vendor: designsystemet-css $DS_CSS_VERSION, designsystemet-theme $DS_THEME_VERSION," \
  "htmx.org $HTMX_VERSION -> $DEST/"
