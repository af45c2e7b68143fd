# A second Docker engine, one that takes a one-shot stats sample at once (moby/moby#46448: 24.0.7
# and later), for the docker collector's one-shot path and bench/docker.mjs: Debian 13's docker.io
# (26.1). Debian 12 ships 20.10, so only that package's dockerd is used: apt downloads the package
# (checked against Debian's archive key, from the mirror the machine's own apt sources name) into
# a private apt state under the cache dir, and it is unpacked there, not installed. The machine's
# apt sources and installed packages are not touched. dockerd runs on Debian 12's containerd and
# runc, which docker.io (docker.sh, sourced before this file) brings, with its own socket, data
# root and exec root, no networks, and a compose-labelled project of two containers.

DOCKER_CURRENT_SUITE=trixie

docker_current_packages() { echo docker.io busybox-static curl dpkg; }

# docker.sh's helpers, run with this engine's directories, binary and project.
_with_current_engine() {
  local DOCKER_SVC_DIR="$STRISK_SERVICES_DIR/docker-current"
  local DOCKER_CACHE_DIR="${STRISK_CACHE_DIR:-$ROOT/.tmp/cache}/docker-current"
  local DOCKER_PROJECT=strisk-current
  local DOCKERD="$DOCKER_CACHE_DIR/bin/dockerd"
  "$@"
}

# The Debian mirror of the machine's own apt sources (deb822 or one-line format).
_docker_current_mirror() {
  local files=()
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && files+=("$f")
  done
  ((${#files[@]} > 0)) || return 0
  awk '$1 == "URIs:" || ($1 == "deb" && $2 !~ /^\[/) { print $2 }' "${files[@]}" | grep -v security | head -1 || true
}

# Downloads and unpacks the current dockerd once; the cache dir keeps it across stops.
_docker_current_fetch() {
  [ -x "$DOCKERD" ] && return 0
  local apt="$DOCKER_CACHE_DIR/apt" mirror deb unpacked
  mirror=$(_docker_current_mirror)
  [ -n "$mirror" ] || { log "no Debian mirror in the machine's apt sources"; return 1; }
  rm -rf "$apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/deb"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$mirror" "$DOCKER_CURRENT_SUITE" >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  log "downloading Debian $DOCKER_CURRENT_SUITE's docker.io (dockerd only; nothing is installed)"
  apt-get "${opts[@]}" -qq update >/dev/null
  (cd "$apt/deb" && apt-get "${opts[@]}" -qq download docker.io >/dev/null)
  deb=$(ls "$apt"/deb/docker.io_*.deb)
  unpacked="$apt/unpacked"
  dpkg-deb -x "$deb" "$unpacked"
  mkdir -p "$(dirname "$DOCKERD")"
  cp "$unpacked/usr/sbin/dockerd" "$DOCKERD.new" && mv "$DOCKERD.new" "$DOCKERD"
  rm -rf "$apt"
}

_docker_current_start() {
  _docker_current_fetch
  _docker_boot
  _docker_import_base
  _docker_remove_containers
  # cpu: a busy loop at its limit of a tenth of a core; idle: asleep under a memory limit.
  _docker_run cpu --cpus 0.1 --memory 64m strisk-test/base:1 sh -c 'while :; do :; done'
  _docker_run idle --cpus 0.5 --memory 32m strisk-test/base:1 sleep 86400
  record STRISK_TEST_DOCKER_CURRENT "unix://$DOCKER_SVC_DIR/docker.sock"
  record STRISK_TEST_DOCKER_CURRENT_PROJECT "$DOCKER_PROJECT"
}

docker_current_start() { _with_current_engine _docker_current_start; }

docker_current_stop() {
  _with_current_engine _docker_halt
  if [ -f "$STRISK_SERVICES_DIR/env" ]; then
    grep -v '^STRISK_TEST_DOCKER_CURRENT' "$STRISK_SERVICES_DIR/env" >"$STRISK_SERVICES_DIR/env.new" || true
    mv "$STRISK_SERVICES_DIR/env.new" "$STRISK_SERVICES_DIR/env"
  fi
}
