#!/usr/bin/env bash
# Installer: an nginx binary; run by prepare-machine.sh and lib/proxy.mjs (the demo, test/restart, test/queue).
# Makes sure nginx is on this machine and prints its path. The tests and the demo put the reverse-proxy recipe
# of examples/proxy/ in front of n8n (Rankr retries a delivery only after a 429; the recipe turns "n8n is
# down, restarting or overloaded" into one). A fresh machine has none: it comes from Debian's package `nginx`.
# Only the binary is used: each run starts its own nginx on a free loopback port with its own prefix folder.
set -euo pipefail
log() { printf '[install-nginx] %s\n' "$*" >&2; }

found="$(command -v nginx || true)"
if [ -z "$found" ] && [ -x /usr/sbin/nginx ]; then found=/usr/sbin/nginx; fi
if [ -n "$found" ]; then echo "$found"; exit 0; fi

. "$(dirname "$0")/lib/apt.sh"
apt_install nginx
# Debian's package starts a server on port 80 where an init system runs; ours start their own, so stop it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then systemctl stop nginx || true; fi
found="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$found" ] || { log "nginx still missing after apt-get"; exit 1; }
log "ready: $found ($("$found" -v 2>&1 | head -1))"
echo "$found"
