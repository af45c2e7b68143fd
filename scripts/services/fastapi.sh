# FastAPI test servers (sourced by scripts/test-services.sh, which defines wait_for and record).
#   good     18080  uvicorn, GZipMiddleware, cache headers, /health, --loop uvloop --http httptools
#   nogzip   18081  uvicorn, no compression, no cache headers
#   blocking 18082  uvicorn, time.sleep(0.02) inside the async /risks route
#   nohealth 18083  uvicorn, no /health (404)
#   slow     18084  uvicorn, /slow waits 0.6 s
#   h2       18085  Hypercorn over TLS (self-signed cert made at start): ALPN h2
#   hang     18086  accepts TCP connections and never answers
#   down     18087  nothing listens
#   example  18088  the bundled examples/st-risk-platform app (clickhouse_connect stubbed)
# Debian's Python packages run with /usr/bin/python3 (the machine's python3 may be another one).

FASTAPI_PY=/usr/bin/python3
FASTAPI_DIR_SRC="$ROOT/scripts/services/fastapi"

fastapi_packages() {
  echo python3-fastapi uvicorn python3-hypercorn python3-uvloop python3-h2 python3-httptools openssl \
    python3-sqlalchemy python3-asyncpg python3-redis python3-requests python3-httpx
}

_fastapi_dir() { echo "$STRISK_SERVICES_DIR/fastapi"; }

# _fastapi_bg NAME COMMAND...: run in the background with a pidfile and a log.
_fastapi_bg() {
  local name=$1 dir
  shift
  dir=$(_fastapi_dir)
  nohup "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

# _fastapi_uvicorn NAME PORT ENV...: the variant app under uvicorn.
_fastapi_uvicorn() {
  local name=$1 port=$2
  shift 2
  _fastapi_bg "$name" env "$@" "$FASTAPI_PY" -m uvicorn variant:app --app-dir "$FASTAPI_DIR_SRC" \
    --host 127.0.0.1 --port "$port" --loop uvloop --http httptools --no-access-log --log-level warning
}

_fastapi_http_ok() { "$FASTAPI_PY" -c "import urllib.request,ssl,sys; urllib.request.urlopen(sys.argv[1], timeout=1, context=ssl._create_unverified_context())" "$1"; }
_fastapi_port_open() { "$FASTAPI_PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1"; }

fastapi_start() {
  fastapi_stop
  local dir
  dir=$(_fastapi_dir)
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1

  _fastapi_uvicorn good 18080 GZIP=1 CACHE=1
  _fastapi_uvicorn nogzip 18081 GZIP=0 CACHE=0
  _fastapi_uvicorn blocking 18082 GZIP=1 CACHE=1 BLOCKING=1
  _fastapi_uvicorn nohealth 18083 GZIP=1 CACHE=1 HEALTH=0
  _fastapi_uvicorn slow 18084 GZIP=1 CACHE=1 SLOW_SECONDS=0.6
  _fastapi_bg h2 env GZIP=1 CACHE=1 PYTHONPATH="$FASTAPI_DIR_SRC" "$FASTAPI_PY" -m hypercorn variant:app \
    --bind 127.0.0.1:18085 --certfile "$dir/cert.pem" --keyfile "$dir/key.pem" --log-level warning
  _fastapi_bg hang "$FASTAPI_PY" "$FASTAPI_DIR_SRC/hang.py" 18086
  _fastapi_bg example env PYTHONPATH="$FASTAPI_DIR_SRC/stubs" "$FASTAPI_PY" -m uvicorn app.main:app \
    --app-dir "$ROOT/examples/st-risk-platform" --host 127.0.0.1 --port 18088 --no-access-log --log-level warning

  wait_for "fastapi good" 20 _fastapi_http_ok http://127.0.0.1:18080/health
  wait_for "fastapi nogzip" 20 _fastapi_http_ok http://127.0.0.1:18081/health
  wait_for "fastapi blocking" 20 _fastapi_http_ok http://127.0.0.1:18082/health
  wait_for "fastapi nohealth" 20 _fastapi_http_ok http://127.0.0.1:18083/risks
  wait_for "fastapi slow" 20 _fastapi_http_ok http://127.0.0.1:18084/health
  wait_for "fastapi h2 (hypercorn)" 20 _fastapi_http_ok https://127.0.0.1:18085/health
  wait_for "fastapi hang" 10 _fastapi_port_open 18086
  wait_for "fastapi example" 20 _fastapi_http_ok http://127.0.0.1:18088/health

  record STRISK_TEST_HTTP_GOOD http://127.0.0.1:18080
  record STRISK_TEST_HTTP_NOGZIP http://127.0.0.1:18081
  record STRISK_TEST_HTTP_BLOCKING http://127.0.0.1:18082
  record STRISK_TEST_HTTP_NOHEALTH http://127.0.0.1:18083
  record STRISK_TEST_HTTP_SLOW http://127.0.0.1:18084
  record STRISK_TEST_HTTP_H2 https://127.0.0.1:18085
  record STRISK_TEST_HTTP_H2_CA "$dir/cert.pem"
  record STRISK_TEST_HTTP_HANG http://127.0.0.1:18086
  record STRISK_TEST_HTTP_DOWN http://127.0.0.1:18087
  record STRISK_TEST_HTTP_EXAMPLE http://127.0.0.1:18088
}

fastapi_stop() {
  local dir pidfile pid
  dir=$(_fastapi_dir)
  [ -d "$dir" ] || return 0
  for pidfile in "$dir"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    wait_for "fastapi pid $pid to stop" 10 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  rm -rf "$dir"
}
