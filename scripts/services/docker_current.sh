# A second Docker engine, one that takes a one-shot stats sample at once (moby/moby#46448: 24.0.7
# and later), for the docker collector's one-shot path and bench/docker.mjs: Debian 13's docker.io
# (26.1). Debian 12 ships 20.10, so only that package's dockerd is used: apt downloads the package
# (checked against Debian's archive key, from the mirror the machine's own apt sources name) into
# a private apt state under the cache dir, and it is unpacked there, not installed: the machine's
# source lists, package lists and installed packages are not changed. dockerd runs on Debian 12's
# containerd and runc, which docker.io brings (docker.sh, sourced beside this file, whose helpers
# run it), with its own socket, data root and exec root, no networks, and a compose-labelled
# project of two containers.

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

# The mirror of the machine's own Debian release in its apt sources (deb822 or one-line format):
# the entry whose suite is the release's codename exactly (not -updates or -security, nor another
# vendor's repository); STRISK_DEBIAN_MIRROR overrides it.
_docker_current_mirror() {
  if [ -n "${STRISK_DEBIAN_MIRROR:-}" ]; then
    echo "$STRISK_DEBIAN_MIRROR"
    return 0
  fi
  local codename files=()
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  if ((${#files[@]} > 0)); then
    awk -v c="$codename" 'BEGIN { RS = "" } {
      uri = ""; ok = 0
      n = split($0, lines, "\n")
      for (i = 1; i <= n; i++) {
        split(lines[i], w, /[ \t]+/)
        if (w[1] == "URIs:") uri = w[2]
        if (w[1] == "Suites:") for (j = 2; j in w; j++) if (w[j] == c) ok = 1
      }
      if (ok && uri != "") print uri
    }' "${files[@]}" | head -1 || true
  fi
  files=()
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && files+=("$f")
  done
  if ((${#files[@]} > 0)); then
    # deb [options] URI SUITE COMPONENTS...: the options end at the token that closes the bracket.
    awk -v c="$codename" '$1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == c) print $i
    }' "${files[@]}" | head -1 || true
  fi
}

# Downloads and unpacks the current dockerd once; the cache dir keeps it across stops.
_docker_current_fetch() {
  [ -x "$DOCKERD" ] && return 0
  local apt="$DOCKER_CACHE_DIR/apt" mirror deb unpacked
  mirror=$(_docker_current_mirror | head -1)
  [ -n "$mirror" ] || { log "no Debian mirror in the machine's apt sources (set STRISK_DEBIAN_MIRROR)"; return 1; }
  rm -rf "$apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/deb"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$mirror" "$DOCKER_CURRENT_SUITE" >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  log "downloading Debian $DOCKER_CURRENT_SUITE's docker.io (dockerd only; nothing is installed)"
  apt-get "${opts[@]}" -qq update >/dev/null
  (cd "$apt/deb" && apt-get "${opts[@]}" -qq download docker.io >/dev/null)
  deb=$(ls "$apt"/deb/docker.io_*.deb)
  # One-shot samples taken at once need 24.0.7 or later (moby/moby#46448).
  if ! dpkg --compare-versions "$(dpkg-deb -f "$deb" Version)" ge 24.0.7; then
    log "$DOCKER_CURRENT_SUITE's docker.io is $(dpkg-deb -f "$deb" Version): 24.0.7 or later is needed"
    return 1
  fi
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
