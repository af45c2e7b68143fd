# ClickHouse test server (sourced by scripts/test-services.sh, which defines wait_for and record).
# One ClickHouse 18.16 (Debian's clickhouse-server) on private ports, config and users of its
# own from scripts/services/clickhouse/, data under $STRISK_SERVICES_DIR/clickhouse, the query
# log on; test data from clickhouse/setup.sql, then real queries (SELECT *, slow, full scans).
#   STRISK_TEST_CLICKHOUSE           default user (may write; the tests create tables with it)
#   STRISK_TEST_CLICKHOUSE_AUDITOR   readonly=1 user, what a cautious operator hands an audit
#   STRISK_TEST_CLICKHOUSE_REPLICA   readonly=2 user, for the readonly-replicas check

CLICKHOUSE_HTTP_PORT=18123
CLICKHOUSE_TCP_PORT=19000
CLICKHOUSE_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/clickhouse"

clickhouse_packages() { echo clickhouse-server clickhouse-client; }

_clickhouse_dir() { echo "$STRISK_SERVICES_DIR/clickhouse"; }

# _clickhouse_template FILE: the template with the placeholders filled in.
_clickhouse_template() {
  sed -e "s|@DIR@|$(_clickhouse_dir)|g" -e "s|@HTTP_PORT@|$CLICKHOUSE_HTTP_PORT|g" \
    -e "s|@TCP_PORT@|$CLICKHOUSE_TCP_PORT|g" -e "s|@MAX_CONCURRENT_QUERIES@|150|g" \
    -e "s|@MAX_MEMORY_USAGE@|1000000000|g" "$CLICKHOUSE_TEMPLATES/$1"
}

# _clickhouse_sql [CLIENT-ARGS...] < SQL: run statements as the default user.
_clickhouse_sql() {
  clickhouse-client --host 127.0.0.1 --port "$CLICKHOUSE_TCP_PORT" --multiquery "$@"
}

# As root the server would write files the clickhouse user cannot read later; run it as that user.
_clickhouse_as() {
  if [ "$(id -u)" = 0 ] && id clickhouse >/dev/null 2>&1; then runuser -u clickhouse -- "$@"; else "$@"; fi
}

clickhouse_start() {
  clickhouse_stop
  command -v clickhouse-server >/dev/null || {
    log "clickhouse-server is not installed"
    return 1
  }
  local dir
  dir=$(_clickhouse_dir)
  mkdir -p "$dir"/{data,tmp,user_files,format_schemas,log,dictionaries}
  _clickhouse_template config.xml >"$dir/config.xml"
  _clickhouse_template users.xml >"$dir/users.xml"
  if [ "$(id -u)" = 0 ] && id clickhouse >/dev/null 2>&1; then chown -R clickhouse: "$dir"; fi
  _clickhouse_as clickhouse-server --daemon --pid-file="$dir/server.pid" --config-file="$dir/config.xml" \
    >"$dir/start.log" 2>&1
  wait_for "clickhouse :$CLICKHOUSE_HTTP_PORT" 30 \
    bash -c "curl -sf http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping | grep -q Ok"

  _clickhouse_sql <"$CLICKHOUSE_TEMPLATES/setup.sql"
  _clickhouse_workload
  record STRISK_TEST_CLICKHOUSE "http://default:@127.0.0.1:$CLICKHOUSE_HTTP_PORT"
  record STRISK_TEST_CLICKHOUSE_AUDITOR "http://auditor:auditor-pw@127.0.0.1:$CLICKHOUSE_HTTP_PORT"
  record STRISK_TEST_CLICKHOUSE_REPLICA "http://replica:replica-pw@127.0.0.1:$CLICKHOUSE_HTTP_PORT"
}

# Real queries for the query log: SELECT *, slow ones, full scans, then a flush.
_clickhouse_workload() {
  local i
  # A table with hundreds of active parts in one partition: merges stopped, single-row inserts.
  _clickhouse_sql --query "SYSTEM STOP MERGES app.many_parts"
  for i in $(seq 1 320); do printf 'INSERT INTO app.many_parts VALUES (%d, today());\n' "$i"; done | _clickhouse_sql
  {
    for i in $(seq 1 6); do
      echo "SELECT * FROM app.events_bad LIMIT 10 FORMAT Null;"
      echo "SELECT count() FROM app.events_bad WHERE payload LIKE '%x$i%' FORMAT Null;"
      echo "SELECT count() FROM app.unordered WHERE payload LIKE '%x$i%' FORMAT Null;"
      echo "SELECT risk_id, status FROM app.events WHERE risk_id = $i FORMAT Null;"
    done
    echo "SELECT sleep(0.8) FORMAT Null;"
    echo "SELECT sleep(0.6), count() FROM app.events_bad FORMAT Null;"
    echo "SELECT * FROM app.logs FORMAT Null;"
    echo "SYSTEM FLUSH LOGS;"
  } | _clickhouse_sql
}

clickhouse_stop() {
  local dir pid
  dir=$(_clickhouse_dir)
  if [ -f "$dir/server.pid" ]; then
    pid=$(cat "$dir/server.pid")
    kill "$pid" 2>/dev/null || true
    wait_for "clickhouse to stop" 20 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
