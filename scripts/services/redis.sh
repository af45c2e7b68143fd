# Redis test servers (sourced by scripts/test-services.sh, which defines wait_for and record).
#   good    16390  maxmemory 64mb, allkeys-lru, appendonly yes, TTLs within bounds, hit ratio ~90%
#   bad     16391  no maxmemory, noeviction, appendonly no, keys without TTL, hit ratio ~5%
#   acl     16392  good config, a user `auditor` that may read but not run CONFIG
#   cluster 16393-16395  three masters, no replicas
# Every instance is throwaway: no RDB snapshots, data dirs under $STRISK_SERVICES_DIR/redis.
# Keys within the checklist's bounds expire within an hour, so a keeper process writes them again
# every few minutes (good, acl, cluster). The bad server has no keeper and long TTLs: the read-only
# test counts its commands, and nothing but the audit may touch it meanwhile.

REDIS_GOOD_PORT=16390
REDIS_BAD_PORT=16391
REDIS_ACL_PORT=16392
REDIS_CLUSTER_PORTS=(16393 16394 16395)
REDIS_ACL_PASSWORD=auditor-pw
REDIS_ADMIN_PASSWORD=admin-pw

redis_packages() { echo redis-server; }

_redis_dir() { echo "$STRISK_SERVICES_DIR/redis/$1"; }

# _redis_server PORT EXTRA-ARGS...: start a daemonised server with its own data dir.
_redis_server() {
  local port=$1
  shift
  local dir
  dir=$(_redis_dir "$port")
  rm -rf "$dir" && mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@"
  wait_for "redis :$port" 10 redis-cli -p "$port" ping
}

# _redis_load PORT PREFIX COUNT TTL-MIN TTL-SPAN: COUNT keys PREFIX:N; TTL-MIN 0 means no TTL.
_redis_load() {
  local port=$1 prefix=$2 count=$3 min=$4 span=$5
  awk -v p="$prefix" -v n="$count" -v min="$min" -v span="$span" 'BEGIN {
    srand(42)
    for (i = 0; i < n; i++) {
      if (min > 0) {
        ttl = min + int(rand() * span)
        printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s:%d\r\n$1\r\nv\r\n$2\r\nEX\r\n$%d\r\n%d\r\n", length(p ":" i), p, i, length(ttl ""), ttl
      } else {
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s:%d\r\n$1\r\nv\r\n", length(p ":" i), p, i
      }
    }
  }' | redis-cli -p "$port" --pipe >/dev/null
}

# _redis_gets PORT PREFIX FROM TO: real GETs of PREFIX:FROM..TO-1 (hits when the keys exist).
_redis_gets() {
  local port=$1 prefix=$2 from=$3 to=$4
  awk -v p="$prefix" -v a="$from" -v b="$to" 'BEGIN {
    for (i = a; i < b; i++) printf "*2\r\n$3\r\nGET\r\n$%d\r\n%s:%d\r\n", length(p ":" i), p, i
  }' | redis-cli -p "$port" --pipe >/dev/null
}

_redis_good_config() { echo --maxmemory 64mb --maxmemory-policy allkeys-lru --appendonly yes; }

redis_start() {
  redis_stop
  command -v redis-server >/dev/null || {
    log "redis-server is not installed"
    return 1
  }

  # good: TTLs within the checklist's bounds, 9,000 hits and 1,000 misses.
  # shellcheck disable=SC2046
  _redis_server "$REDIS_GOOD_PORT" $(_redis_good_config)
  _redis_good_keys
  _redis_load "$REDIS_GOOD_PORT" user 500 0 0
  _redis_gets "$REDIS_GOOD_PORT" cache 0 3000
  _redis_gets "$REDIS_GOOD_PORT" session 0 2000
  _redis_gets "$REDIS_GOOD_PORT" cache 0 3000
  _redis_gets "$REDIS_GOOD_PORT" session 0 1000
  _redis_gets "$REDIS_GOOD_PORT" missing 0 1000
  record STRISK_TEST_REDIS_GOOD "redis://127.0.0.1:$REDIS_GOOD_PORT"

  # bad: sessions without TTL, cache entries kept for a day, 2,000 hits and 200,000 misses
  # (many misses because every audit adds hits: PTTL on a sampled key counts as one).
  _redis_server "$REDIS_BAD_PORT" --maxmemory 0 --maxmemory-policy noeviction --appendonly no
  _redis_load "$REDIS_BAD_PORT" session 1500 0 0
  _redis_load "$REDIS_BAD_PORT" sess 200 36000 36000
  _redis_load "$REDIS_BAD_PORT" cache 2000 86400 86400
  _redis_gets "$REDIS_BAD_PORT" session 0 1500
  _redis_gets "$REDIS_BAD_PORT" cache 0 500
  _redis_gets "$REDIS_BAD_PORT" missing 0 200000
  record STRISK_TEST_REDIS_BAD "redis://127.0.0.1:$REDIS_BAD_PORT/0"

  # acl: CONFIG is refused to the auditor; the default user needs a password too. Few keys and
  # lookups: fewer than 1,000 for a while, though each audit's PTTLs add some hits.
  # shellcheck disable=SC2046
  _redis_server "$REDIS_ACL_PORT" $(_redis_good_config)
  redis-cli -p "$REDIS_ACL_PORT" ACL SETUSER auditor reset on ">$REDIS_ACL_PASSWORD" '~*' \
    +@read +info +scan +ping +pttl +ttl -@admin -config >/dev/null
  redis-cli -p "$REDIS_ACL_PORT" CONFIG SET requirepass "$REDIS_ADMIN_PASSWORD" >/dev/null
  _redis_acl_keys
  REDISCLI_AUTH=$REDIS_ADMIN_PASSWORD _redis_gets "$REDIS_ACL_PORT" session 0 20
  record STRISK_TEST_REDIS_ACL "redis://auditor:$REDIS_ACL_PASSWORD@127.0.0.1:$REDIS_ACL_PORT"

  # cluster: three masters sharing the slots.
  local p nodes=()
  for p in "${REDIS_CLUSTER_PORTS[@]}"; do
    # shellcheck disable=SC2046
    _redis_server "$p" $(_redis_good_config) --cluster-enabled yes --cluster-config-file nodes.conf
    nodes+=("127.0.0.1:$p")
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >/dev/null
  for p in "${REDIS_CLUSTER_PORTS[@]}"; do
    wait_for "redis cluster :$p" 20 bash -c "redis-cli -p $p cluster info | grep -q cluster_state:ok"
  done
  _redis_cluster_keys
  record STRISK_TEST_REDIS_CLUSTER "redis://127.0.0.1:${REDIS_CLUSTER_PORTS[0]}"

  # The keeper: output nowhere, so that CI does not wait on its pipes; it ends with the servers.
  (
    while sleep 240; do
      _redis_good_keys && _redis_acl_keys && _redis_cluster_keys || exit 0
    done
  ) </dev/null >/dev/null 2>&1 &
  echo $! >"$STRISK_SERVICES_DIR/redis/keeper.pid"
}

_redis_good_keys() {
  _redis_load "$REDIS_GOOD_PORT" session 2000 1800 1800
  _redis_load "$REDIS_GOOD_PORT" cache 3000 600 300
}

_redis_acl_keys() { REDISCLI_AUTH=$REDIS_ADMIN_PASSWORD _redis_load "$REDIS_ACL_PORT" session 20 1800 1800; }

# 30 sessions spread over the masters (-c follows MOVED redirections; --pipe does not).
_redis_cluster_keys() {
  local i
  for i in $(seq 0 29); do
    # redis-cli exits 0 on an error reply: check the reply, and retry while the cluster settles.
    wait_for "redis cluster SET" 10 bash -c \
      "redis-cli -c -p ${REDIS_CLUSTER_PORTS[0]} SET session:$i v EX 1800 | grep -qx OK" || return 1
  done
}

redis_stop() {
  local p pid pidfile keeper="$STRISK_SERVICES_DIR/redis/keeper.pid"
  if [ -f "$keeper" ]; then
    # The keeper's own pid and its sleep child; nothing else.
    kill $(pgrep -P "$(cat "$keeper")") "$(cat "$keeper")" 2>/dev/null || true
    rm -f "$keeper"
  fi
  for p in "$REDIS_GOOD_PORT" "$REDIS_BAD_PORT" "$REDIS_ACL_PORT" "${REDIS_CLUSTER_PORTS[@]}"; do
    pidfile="$(_redis_dir "$p")/redis.pid"
    # The pid is read once, before the kill: Redis removes its pid file as it shuts down, and
    # reading it afterwards gave an empty pid, so the wait below waited for nothing.
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      wait_for "redis :$p to stop" 10 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$(_redis_dir "$p")"
  done
}
