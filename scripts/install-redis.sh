#!/usr/bin/env bash
# Makes sure a Redis server binary is on this machine (n8n's queue mode needs Redis; test/queue uses it) and
# prints its path. A fresh CI machine has none: it comes from Debian's package `redis-server`. We only need
# the binary: the test starts its own throwaway server on a free loopback port (no persistence) and stops it.
set -euo pipefail
log() { printf '[install-redis] %s\n' "$*" >&2; }

found="$(command -v redis-server || true)"
if [ -z "$found" ] && [ -x /usr/bin/redis-server ]; then found=/usr/bin/redis-server; fi
if [ -n "$found" ]; then echo "$found"; exit 0; fi

if ! command -v apt-get >/dev/null; then
  log "redis-server is not installed and there is no apt-get here: install Redis (>= 6) so that redis-server is on PATH"
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo -n"; else log "need root (or sudo) to apt-get install redis-server"; exit 1; fi
fi
log "installing Debian's redis-server (apt-get)"
export DEBIAN_FRONTEND=noninteractive
# The package's own service is not wanted (and a container has no init to start it): the test runs its own server.
aptlog="$(mktemp /tmp/install-redis-server.XXXXXX.log)"
if ! $SUDO apt-get install -y --no-install-recommends redis-server >"$aptlog" 2>&1; then
  log "apt-get install failed; updating the package lists and trying once more"
  $SUDO apt-get update >>"$aptlog" 2>&1
  $SUDO apt-get install -y --no-install-recommends redis-server >>"$aptlog" 2>&1 || { tail -20 "$aptlog" >&2; log "apt-get failed (log: $aptlog)"; exit 1; }
fi
found="$(command -v redis-server || echo /usr/bin/redis-server)"
[ -x "$found" ] || { log "redis-server still missing after apt-get"; exit 1; }
log "ready: $found ($("$found" --version | head -1))"
echo "$found"
