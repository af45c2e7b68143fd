#!/usr/bin/env bash
# One script for the real servers the tests need: `start` installs what is missing (Debian
# packages, as root), starts throwaway instances on private ports and data dirs, waits until each
# is ready and writes their addresses to .tmp/services/env; `stop` stops them and removes their
# data; `status` lists them. Each service lives in scripts/services/NAME.sh and defines
# NAME_packages, NAME_start and NAME_stop. The README, `npm test` and .ci/run all use this script.
#
#   scripts/test-services.sh start [NAME...]   (default: every service)
#   scripts/test-services.sh stop  [NAME...]
#   scripts/test-services.sh status
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export STRISK_SERVICES_DIR="${STRISK_SERVICES_DIR:-$ROOT/.tmp/services}"
ENV_FILE="$STRISK_SERVICES_DIR/env"
mkdir -p "$STRISK_SERVICES_DIR"

SERVICES=()
for f in "$ROOT"/scripts/services/*.sh; do
  [ -e "$f" ] || continue
  # shellcheck source=/dev/null
  source "$f"
  SERVICES+=("$(basename "$f" .sh)")
done

log() { printf '[test-services] %s\n' "$*" >&2; }

# wait_for DESCRIPTION SECONDS COMMAND...: retry COMMAND until it succeeds or time runs out.
wait_for() {
  local what=$1 secs=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "$what did not become ready within ${secs}s"
      return 1
    fi
    sleep 0.2
  done
}

# record KEY VALUE: publish an address for the tests (replaces an earlier value of KEY).
record() {
  touch "$ENV_FILE"
  grep -v "^$1=" "$ENV_FILE" >"$ENV_FILE.new" || true
  printf '%s=%s\n' "$1" "$2" >>"$ENV_FILE.new"
  mv "$ENV_FILE.new" "$ENV_FILE"
}

install_missing() {
  local pkgs=()
  for s in "$@"; do
    if declare -F "${s}_packages" >/dev/null; then
      # shellcheck disable=SC2207
      pkgs+=($("${s}_packages"))
    fi
  done
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} > 0)); then
    if [ "$(id -u)" != 0 ]; then
      log "missing Debian packages: ${missing[*]} (run as root, or install them)"
      return 1
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

cmd=${1:-status}
shift || true
selected=("$@")
all=$((${#selected[@]} == 0))
((${#selected[@]} > 0)) || selected=("${SERVICES[@]}")

case "$cmd" in
start)
  ((${#selected[@]} > 0)) || exit 0
  install_missing "${selected[@]}"
  for s in "${selected[@]}"; do
    log "starting $s"
    "${s}_start"
  done
  log "ready; addresses in $ENV_FILE"
  ;;
stop)
  for s in "${selected[@]}"; do "${s}_stop" || true; done
  # Every service stopped: no stale address is left for a test to find, nor an empty state dir.
  if ((all)); then
    rm -f "$ENV_FILE" "$ENV_FILE.new"
    rmdir "$STRISK_SERVICES_DIR" 2>/dev/null || true
  fi
  ;;
status)
  [ -f "$ENV_FILE" ] && cat "$ENV_FILE" || echo "no services started"
  ;;
*)
  echo "usage: $0 start|stop|status [SERVICE...]" >&2
  exit 2
  ;;
esac
