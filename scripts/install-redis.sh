#!/usr/bin/env bash
# Installer: a Redis server binary; run by prepare-machine.sh and lib/queue-mode.mjs (test/queue, bench:scale).
# Makes sure a Redis server binary is on this machine (n8n's queue mode needs Redis; test/queue uses it) and
# prints its path. A fresh CI machine has none: it comes from Debian's package `redis-server`. We only need
# the binary: the test starts its own throwaway server on a free loopback port (no persistence) and stops it.
set -euo pipefail
log() { printf '[install-redis] %s\n' "$*" >&2; }

found="$(command -v redis-server || true)"
if [ -z "$found" ] && [ -x /usr/bin/redis-server ]; then found=/usr/bin/redis-server; fi
if [ -n "$found" ]; then echo "$found"; exit 0; fi

# The package's own service is not wanted (and a container has no init to start it): the test runs its own server.
. "$(dirname "$0")/lib/apt.sh"
apt_install redis-server
found="$(command -v redis-server || echo /usr/bin/redis-server)"
[ -x "$found" ] || { log "redis-server still missing after apt-get"; exit 1; }
log "ready: $found ($("$found" --version | head -1))"
echo "$found"
