#!/usr/bin/env bash
# Makes sure a Chromium is there for the editor screenshots (test/e2e, scripts/lib/editor.mjs) and prints its
# path. Uses $CHROMIUM_PATH if set, else /usr/bin/chromium; installs Debian's `chromium` package when absent
# (needs root and apt-get, as on the project's machines and CI). Nothing is downloaded by Playwright itself.
set -euo pipefail
log() { printf '[install-chromium] %s\n' "$*" >&2; }
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then echo "$CHROMIUM"; exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"; exit 1; fi
if ! command -v apt-get >/dev/null 2>&1; then log "no $CHROMIUM and no apt-get: install Chromium and set CHROMIUM_PATH"; exit 1; fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO='sudo -n'; else log "installing chromium needs root (or passwordless sudo)"; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
log "installing Debian's chromium package (once)"
if ! $SUDO apt-get install -y --no-install-recommends chromium >/tmp/install-chromium.log 2>&1; then
  log "apt-get install failed; updating the package lists and trying again"
  $SUDO apt-get update >>/tmp/install-chromium.log 2>&1
  $SUDO apt-get install -y --no-install-recommends chromium >>/tmp/install-chromium.log 2>&1 || { tail -20 /tmp/install-chromium.log >&2; exit 1; }
fi
[ -x "$CHROMIUM" ] || { log "chromium installed, but $CHROMIUM is missing"; exit 1; }
log "ready: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
echo "$CHROMIUM"
