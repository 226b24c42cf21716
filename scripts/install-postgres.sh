#!/usr/bin/env bash
# Installer: PostgreSQL's server programs; run by prepare-machine.sh and lib/queue-mode.mjs (test/queue, bench:scale).
# Makes sure PostgreSQL's server programs (initdb, postgres) are on this machine and prints the folder that
# holds them. n8n's queue mode wants PostgreSQL (with one sqlite file shared by main, the webhook process and
# the workers, n8n 2.41 starts but answers "SQLITE_BUSY" and "503 Database is not ready!" under load).
# A fresh CI machine has none: it comes from Debian's package `postgresql`. Only the programs are used:
# test/queue starts its own throwaway cluster (initdb in a temporary folder, a free loopback port) and stops it.
set -euo pipefail
log() { printf '[install-postgres] %s\n' "$*" >&2; }

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_config >/dev/null; then
    dir="$(pg_config --bindir)"
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then echo "$dir"; return 0; fi
  fi
  return 1
}

if dir="$(find_bindir)"; then echo "$dir"; exit 0; fi

. "$(dirname "$0")/lib/apt.sh"
apt_install postgresql
dir="$(find_bindir)" || { log "initdb/postgres still missing after apt-get"; exit 1; }
log "ready: $dir ($("$dir/postgres" --version))"
echo "$dir"
