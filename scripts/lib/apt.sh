# Sourced by scripts/install-*.sh: apt_install PACKAGE installs one Debian package, as root or through
# passwordless sudo, updating the package lists once if the first try fails. Needs log() from the caller.
apt_install() {
  local package="$1" sudo="" aptlog
  command -v apt-get >/dev/null 2>&1 || { log "$package is not installed and there is no apt-get here: install it yourself"; return 1; }
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else log "installing $package needs root (or passwordless sudo)"; return 1; fi
  fi
  log "installing Debian's $package (apt-get, once)"
  export DEBIAN_FRONTEND=noninteractive
  aptlog="$(mktemp "/tmp/install-$package.XXXXXX.log")"
  if ! $sudo apt-get install -y --no-install-recommends "$package" >"$aptlog" 2>&1; then
    log "apt-get install failed; updating the package lists and trying once more"
    $sudo apt-get update >>"$aptlog" 2>&1
    $sudo apt-get install -y --no-install-recommends "$package" >>"$aptlog" 2>&1 || { tail -20 "$aptlog" >&2; log "apt-get failed (log: $aptlog)"; return 1; }
  fi
}
