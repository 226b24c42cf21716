#!/usr/bin/env bash
# First thing `npm test` runs: brings everything the suites need onto this machine before any suite starts, so
# that a fresh machine fails (or spends its minutes) at the start, not 20 minutes in. Everything is reused
# when present; each step is its own script and can run alone.
#   n8n + its Node      scripts/install-n8n.sh     npm registry, into ~/.cache (no root); once per n8n version
#   Chromium            scripts/install-chromium.sh  Debian package (root or sudo): editor screenshots (e2e)
#   Redis, PostgreSQL   scripts/install-redis.sh, install-postgres.sh  Debian packages (root or sudo): queue mode
#   nginx               scripts/install-nginx.sh   Debian package (root or sudo): the proxy recipe (test/restart, queue)
# The n8n versions come from scripts/lib/n8n-versions.mjs (every version the suites run against).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[prepare] %s\n' "$*" >&2; }

# What apt-get would have to install; asked first, so that a machine without root hears it before any download.
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
    log "the tests need Debian packages this machine lacks: ${missing[*]}"
    log "installing them needs root: run  sudo apt-get install -y --no-install-recommends ${missing[*]}  then npm test again"
    exit 1
  fi
  command -v apt-get >/dev/null 2>&1 || {
    log "the tests need ${missing[*]} and there is no apt-get here: install them (redis-server >= 6, PostgreSQL >= 13, nginx, Chromium; CHROMIUM_PATH points at a non-default Chromium)"
    exit 1
  }
  log "will install with apt-get: ${missing[*]}"
fi

started=$SECONDS
for version in $(node scripts/lib/n8n-versions.mjs); do
  N8N_VERSION="$version" bash scripts/install-n8n.sh >/dev/null
done
bash scripts/install-chromium.sh >/dev/null
bash scripts/install-redis.sh >/dev/null
bash scripts/install-postgres.sh >/dev/null
bash scripts/install-nginx.sh >/dev/null
log "machine ready ($((SECONDS - started)) s)"
