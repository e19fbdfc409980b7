#!/usr/bin/env bash
# Install the Debian packages the portal needs (PostgreSQL, Chromium for browser tests, fonts for
# PDFs, gettext for compilemessages, poppler-utils for pdftotext in PDF tests, redis-server for
# the scale-out tests).
# Idempotent: does nothing (not even apt-get update) when everything is already installed.
set -euo pipefail

PACKAGES=(
  postgresql        # PostgreSQL 15 on Debian 12; the second test pass runs on it
  chromium          # /usr/bin/chromium, driven by Playwright (never `playwright install`)
  fonts-dejavu-core # fallback font for WeasyPrint
  fonts-noto-core   # Noto Sans/Serif: full Norwegian coverage, embeds well in PDFs
  fonts-inter       # Inter, the typeface Designsystemet's theme names (--ds-font-family)
  gettext           # msgfmt for compilemessages / makemessages
  poppler-utils     # pdftotext, used by PDF tests
  redis-server      # a private Redis per test run (tests/ops): the shared cache with REDIS_URL
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present (${PACKAGES[*]})"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup-system: missing ${missing[*]}, and not root and no sudo; install them by hand" >&2
  exit 1
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup-system: done"
