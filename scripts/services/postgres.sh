# PostgreSQL 15 and PgBouncer for the tests (sourced by scripts/test-services.sh).
# Two throwaway clusters: "good" on 15432 (sized buffers, working WAL archive, autovacuum,
# pg_stat_statements) and "bad" on 15433 (defaults, failing archive_command, autovacuum off,
# a large unindexed table with dead tuples, every statement logged); PgBouncer on 16432 in
# front of "good" with a pool of 5. initdb/pg_ctl/pgbouncer refuse root: they run as postgres.

PG_BIN=/usr/lib/postgresql/15/bin
PG_GOOD_PORT=15432
PG_BAD_PORT=15433
PGB_PORT=16432

postgres_packages() { echo postgresql-15 postgresql-client-15 pgbouncer; }

pg_dir() { echo "$STRISK_SERVICES_DIR/postgres"; }
as_pg() { runuser -u postgres -- "$@"; }

pg_init_cluster() { # NAME PORT EXTRA_CONF
  local dir name=$1 port=$2 extra=$3
  dir="$(pg_dir)/$name"
  as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  cat >>"$dir/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$(pg_dir)/run'
fsync = off
max_wal_senders = 0
wal_level = replica
$extra
CONF
  cat >"$dir/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
HBA
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$(pg_dir)/$name.log" -w -t 15 start >/dev/null
}

pg_sql() { # PORT DB SQL
  printf '%s\n' "$3" | as_pg psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" >/dev/null
}

pg_roles_sql="CREATE ROLE auditor LOGIN PASSWORD 'pw' IN ROLE pg_monitor;
CREATE ROLE noprivs LOGIN PASSWORD 'pw';"

postgres_start() {
  postgres_stop 2>/dev/null || true
  local d
  d="$(pg_dir)"
  mkdir -p "$d/run" "$d/archive" "$d/pgbouncer"
  chmod 755 "$STRISK_SERVICES_DIR" "$(dirname "$STRISK_SERVICES_DIR")" 2>/dev/null || true
  chown -R postgres:postgres "$d"

  pg_init_cluster good $PG_GOOD_PORT "shared_buffers = 256MB
wal_buffers = 16MB
archive_mode = on
archive_command = 'test ! -f $d/archive/%f && cp %p $d/archive/%f'
autovacuum = on
shared_preload_libraries = 'pg_stat_statements'
client_connection_check_interval = 1000" &
  local good_pid=$!
  pg_init_cluster bad $PG_BAD_PORT "max_connections = 30
archive_mode = on
archive_command = 'false'
autovacuum = off
log_statement = 'all'
log_line_prefix = '%m [%p] %u@%d app=%a '" &
  local bad_pid=$!
  # Wait for these two only: a bare `wait` would also wait for the daemons other services started.
  wait "$good_pid" "$bad_pid"

  for port in $PG_GOOD_PORT $PG_BAD_PORT; do
    pg_sql "$port" postgres "$pg_roles_sql"
    pg_sql "$port" postgres "CREATE DATABASE app"
  done
  pg_sql $PG_GOOD_PORT postgres "CREATE DATABASE held"
  pg_sql $PG_GOOD_PORT app "CREATE EXTENSION pg_stat_statements;
REVOKE ALL ON pg_stat_statements FROM PUBLIC; GRANT SELECT ON pg_stat_statements TO pg_read_all_stats;
CREATE TABLE accounts (id int PRIMARY KEY, name text);
INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 50000) g;
VACUUM ANALYZE accounts;"
  as_pg bash -c "for i in \$(seq 1 200); do echo \"SELECT name FROM accounts WHERE id = \$i;\"; done | psql -X -q -h 127.0.0.1 -p $PG_GOOD_PORT -U postgres -d app >/dev/null"
  pg_sql $PG_BAD_PORT app "CREATE TABLE events (id int, kind text, payload text);
INSERT INTO events SELECT g, 'k' || (g % 10), repeat('x', 40) FROM generate_series(1, 200000) g;
ANALYZE events;
UPDATE events SET kind = 'updated' WHERE id % 4 = 0;
DELETE FROM events WHERE id % 10 = 1;"
  as_pg bash -c "for i in \$(seq 1 20); do echo \"SELECT count(*) FROM events WHERE kind = 'k\$((i % 10))';\"; done | psql -X -q -h 127.0.0.1 -p $PG_BAD_PORT -U postgres -d app >/dev/null"
  pg_sql $PG_GOOD_PORT postgres "SELECT pg_switch_wal()"
  pg_sql $PG_BAD_PORT postgres "SELECT pg_switch_wal()"

  cat >"$d/pgbouncer/pgbouncer.ini" <<INI
[databases]
app = host=127.0.0.1 port=$PG_GOOD_PORT dbname=app
held = host=127.0.0.1 port=$PG_GOOD_PORT dbname=held
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $d/pgbouncer/userlist.txt
admin_users = postgres
stats_users = auditor
pool_mode = session
default_pool_size = 5
max_client_conn = 100
pidfile = $d/pgbouncer/pgbouncer.pid
logfile = $d/pgbouncer/pgbouncer.log
INI
  printf '"postgres" ""\n"auditor" ""\n' >"$d/pgbouncer/userlist.txt"
  chown -R postgres:postgres "$d/pgbouncer"
  as_pg pgbouncer -d -q "$d/pgbouncer/pgbouncer.ini"
  wait_for pgbouncer 10 as_pg psql -X -h 127.0.0.1 -p $PGB_PORT -U postgres -d pgbouncer -c 'SHOW VERSION'

  record STRISK_TEST_PG_GOOD "postgres://auditor:pw@127.0.0.1:$PG_GOOD_PORT/app"
  record STRISK_TEST_PG_BAD "postgres://auditor:pw@127.0.0.1:$PG_BAD_PORT/app"
  record STRISK_TEST_PG_GOOD_ADMIN "postgres://postgres@127.0.0.1:$PG_GOOD_PORT/app"
  record STRISK_TEST_PG_NOPRIVS "postgres://noprivs:pw@127.0.0.1:$PG_GOOD_PORT/app"
  record STRISK_TEST_PG_BAD_LOG "$d/bad.log"
  record STRISK_TEST_PGBOUNCER "postgres://postgres@127.0.0.1:$PGB_PORT/pgbouncer"
  # Tests hold connections through "held" to saturate its pool of 5 (kept apart from "app"
  # so that their pg_sleep calls stay out of app's pg_stat_statements).
  record STRISK_TEST_PGBOUNCER_HELD "postgres://postgres@127.0.0.1:$PGB_PORT/held"
}

postgres_stop() {
  local d pid
  d="$(pg_dir)"
  [ -d "$d" ] || return 0
  if [ -f "$d/pgbouncer/pgbouncer.pid" ]; then
    pid=$(cat "$d/pgbouncer/pgbouncer.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  fi
  for name in good bad; do
    [ -f "$d/$name/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$d/$name" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$d"
}
