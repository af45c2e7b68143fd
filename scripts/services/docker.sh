# Docker Engine (Debian's docker.io, 20.10) for the docker collector's tests: a private dockerd
# with its own socket, data root and exec root, no networks, and a compose-labelled test project.
# Sourced by scripts/test-services.sh (which defines ROOT, STRISK_SERVICES_DIR, log, wait_for,
# record). The data root lives in a cache dir that survives `stop`, so images are built once.
# The helpers below read DOCKER_SVC_DIR, DOCKER_CACHE_DIR and DOCKERD when called: a second
# engine (docker_current.sh) calls them with its own values set `local` (bash scopes dynamically).

DOCKER_SVC_DIR="$STRISK_SERVICES_DIR/docker"
DOCKER_CACHE_DIR="${STRISK_CACHE_DIR:-$ROOT/.tmp/cache}/docker"
DOCKER_SVC_ASSETS="$ROOT/scripts/services/docker"
DOCKER_PROJECT=strisk-test
DOCKERD=dockerd

docker_packages() { echo docker.io busybox-static curl; }

# containerd puts sockets under the exec root: keep it short (unix socket paths are ≤ 107 bytes).
_docker_exec_root() { echo "/tmp/strisk-docker-$(printf '%s' "$DOCKER_SVC_DIR" | md5sum | cut -c1-8)"; }

# The Debian client, talking to our engine only, with a config dir of its own (no credential
# helpers from ~/.docker); the API version pins a newer client to the 20.10 engine.
_dk() {
  DOCKER_CONFIG="$DOCKER_SVC_DIR/client" DOCKER_API_VERSION=1.41 DOCKER_BUILDKIT=0 \
    /usr/bin/docker -H "unix://$DOCKER_SVC_DIR/docker.sock" "$@"
}

_docker_ping() { curl -sf --unix-socket "$DOCKER_SVC_DIR/docker.sock" http://d/_ping; }

_docker_daemon() {
  local driver=$1 exec_root
  exec_root=$(_docker_exec_root)
  mkdir -p "$DOCKER_SVC_DIR/client" "$DOCKER_CACHE_DIR/data" "$exec_root"
  echo '{}' >"$DOCKER_SVC_DIR/daemon.json"
  "$DOCKERD" --config-file "$DOCKER_SVC_DIR/daemon.json" \
    --host "unix://$DOCKER_SVC_DIR/docker.sock" \
    --data-root "$DOCKER_CACHE_DIR/data" --exec-root "$exec_root" \
    --pidfile "$DOCKER_SVC_DIR/dockerd.pid" \
    --bridge=none --iptables=false --ip-masq=false \
    --storage-driver "$driver" --log-level warn \
    >>"$DOCKER_SVC_DIR/dockerd.log" 2>&1 &
  echo $! >"$DOCKER_SVC_DIR/dockerd.pid.launch"
  wait_for "dockerd ($driver)" 30 _docker_ping
}

_docker_kill_daemon() {
  local pid
  for f in "$DOCKER_SVC_DIR/dockerd.pid" "$DOCKER_SVC_DIR/dockerd.pid.launch"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  # Shims of this engine's containerd that outlived it (a daemon killed mid-shutdown).
  local shim
  for shim in $(pgrep -f "containerd-shim.* -address $(_docker_exec_root)/" || true); do
    kill "$shim" 2>/dev/null || true
  done
}

# Unmount whatever the engine left mounted under its directories (deepest first).
_docker_unmount() {
  local m
  for dir in "$@"; do
    awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
  done
}

# The base image, imported from the machine's busybox (no registry is reachable).
_docker_import_base() {
  if ! _dk image inspect strisk-test/base:1 >/dev/null 2>&1; then
    local rootfs="$DOCKER_SVC_DIR/rootfs"
    rm -rf "$rootfs" && mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/app"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\napp:x:1000:\n' >"$rootfs/etc/group"
    chmod 1777 "$rootfs/tmp"
    tar -C "$rootfs" -c . | _dk import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - strisk-test/base:1 >/dev/null
    rm -rf "$rootfs"
  fi
}

_docker_build_images() {
  _docker_import_base
  # The builder's cache makes these no-ops when nothing changed.
  _dk build -q -t strisk-test/small:latest "$DOCKER_SVC_ASSETS/small" >/dev/null
  _dk build -q -t strisk-test/big:latest "$DOCKER_SVC_ASSETS/big" >/dev/null
}

_docker_run() {
  local service=$1
  shift
  _dk run -d --name "$DOCKER_PROJECT-$service-1" --network none \
    --label "com.docker.compose.project=$DOCKER_PROJECT" \
    --label "com.docker.compose.service=$service" "$@" >/dev/null
}

# rm -f kills at once: a plain daemon shutdown would wait 10 s for each `sleep` to ignore SIGTERM.
_docker_remove_containers() {
  local ids
  _docker_ping >/dev/null 2>&1 || return 0
  ids=$(_dk ps -aq --filter "label=com.docker.compose.project=$DOCKER_PROJECT")
  # shellcheck disable=SC2086
  [ -z "$ids" ] || _dk rm -f $ids >/dev/null 2>&1 || true
}

_docker_start_containers() {
  _docker_remove_containers
  # api: everything the checklist asks for.
  _docker_run api --memory 64m --cpus 0.5 --read-only \
    --health-cmd true --health-interval 2s --health-timeout 2s --health-retries 3 \
    --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 \
    --restart unless-stopped strisk-test/small:latest
  # worker: no limits, no healthcheck, default logging, no restart policy.
  _docker_run worker --no-healthcheck strisk-test/small:latest
  # cpu: a busy loop at ~100% of its limit. A tenth of a core (not half) keeps it at its limit
  # even on a loaded machine, and costs the host little.
  _docker_run cpu --cpus 0.1 --memory 64m strisk-test/base:1 sh -c 'while :; do :; done'
  # mem: 29 MB of tmpfs (charged to the cgroup) under a 32 MB limit (~90% of its limit).
  _docker_run mem --memory 32m --memory-swap 32m --shm-size 48m strisk-test/base:1 \
    sh -c 'dd if=/dev/zero of=/dev/shm/x bs=1M count=29 2>/dev/null; exec sleep 86400'
}

# Starts the engine afresh: overlay2, or vfs where overlay2 failed once (remembered in the cache).
_docker_boot() {
  local driver
  mkdir -p "$DOCKER_SVC_DIR" "$DOCKER_CACHE_DIR"
  _docker_remove_containers
  _docker_kill_daemon
  : >"$DOCKER_SVC_DIR/dockerd.log"
  driver=$(cat "$DOCKER_CACHE_DIR/driver" 2>/dev/null || echo overlay2)
  if ! _docker_daemon "$driver"; then
    _docker_kill_daemon
    [ "$driver" = vfs ] && { tail -20 "$DOCKER_SVC_DIR/dockerd.log" >&2; return 1; }
    log "$DOCKERD with $driver failed; falling back to vfs"
    driver=vfs
    _docker_daemon vfs || { tail -20 "$DOCKER_SVC_DIR/dockerd.log" >&2; return 1; }
  fi
  echo "$driver" >"$DOCKER_CACHE_DIR/driver"
}

# Stops the engine and removes its state (the cached data root stays).
_docker_halt() {
  _docker_remove_containers
  _docker_kill_daemon
  _docker_unmount "$(_docker_exec_root)" "$DOCKER_CACHE_DIR/data"
  rm -rf "$(_docker_exec_root)" "$DOCKER_SVC_DIR"
}

docker_start() {
  _docker_boot
  _docker_build_images
  _docker_start_containers
  rm -f "$DOCKER_SVC_DIR/small.tar"
  _dk save -o "$DOCKER_SVC_DIR/small.tar" strisk-test/small:latest
  # Let the healthcheck pass once and the stats collector see the containers.
  wait_for "api container healthy" 20 \
    sh -c "[ \"\$(DOCKER_API_VERSION=1.41 /usr/bin/docker -H unix://$DOCKER_SVC_DIR/docker.sock inspect -f '{{.State.Health.Status}}' $DOCKER_PROJECT-api-1)\" = healthy ]"
  record STRISK_TEST_DOCKER "unix://$DOCKER_SVC_DIR/docker.sock"
  record STRISK_TEST_DOCKER_PROJECT "$DOCKER_PROJECT"
  record STRISK_TEST_DOCKER_ARCHIVE "$DOCKER_SVC_DIR/small.tar"
}

docker_stop() {
  _docker_halt
  if [ -f "$STRISK_SERVICES_DIR/env" ]; then
    grep -v '^STRISK_TEST_DOCKER=\|^STRISK_TEST_DOCKER_PROJECT=\|^STRISK_TEST_DOCKER_ARCHIVE=' "$STRISK_SERVICES_DIR/env" >"$STRISK_SERVICES_DIR/env.new" || true
    mv "$STRISK_SERVICES_DIR/env.new" "$STRISK_SERVICES_DIR/env"
  fi
}
