#!/usr/bin/env bash
# Installer: Chromium for the editor screenshots; run by prepare-machine.sh and scripts/lib/editor.mjs.
# Makes sure a Chromium is there for the editor screenshots (test/e2e, scripts/lib/editor.mjs) and prints its
# path. Uses $CHROMIUM_PATH if set, else /usr/bin/chromium; installs Debian's `chromium` package when absent
# (needs root and apt-get, as on the project's machines and CI). Nothing is downloaded by Playwright itself.
set -euo pipefail
log() { printf '[install-chromium] %s\n' "$*" >&2; }
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then echo "$CHROMIUM"; exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"; exit 1; fi
. "$(dirname "$0")/lib/apt.sh"
apt_install chromium
[ -x "$CHROMIUM" ] || { log "chromium installed, but $CHROMIUM is missing"; exit 1; }
log "ready: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
echo "$CHROMIUM"
