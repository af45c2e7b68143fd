#!/usr/bin/env bash
# Builds strisk's image (the Dockerfile at the root) on the test Docker engine and runs it against
# the example stack, mounted read-only, with no network: expects exit 1 (the example fails some
# items) and a JSON report on stdout.
#
# No container registry is reachable here, so the Dockerfile's pinned node:20 base cannot be
# pulled. The base is made locally instead and passed as --build-arg BASE: the machine's own
# `node`, npm, dash as /bin/sh, env, and the shared libraries they link (from ldd), plus
# passwd/group entries for root and node (uid 1000, as in the node images). It is a few MB of
# files besides node, made in seconds, no debootstrap; its tarball is cached in .tmp/image-base/
# and imported once per engine. The npm registry is not reachable from the build either (no bridge
# network; the host's TLS interception CA is not in the base), so `npm ci` in the build stages gets
# the lock file's packages from scripts/npm-cache-registry.mjs: the host's npm cache served on
# 127.0.0.1 (the build uses --network host to reach it; the `npm ci` of the checkout filled it).
# The run has no network.
#
# The engine: $DOCKER_HOST, else STRISK_TEST_DOCKER from $STRISK_SERVICES_DIR/env.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${DOCKER_HOST:-}" ]; then
  ENV_FILE="${STRISK_SERVICES_DIR:-}/env"
  [ -n "${STRISK_SERVICES_DIR:-}" ] && [ -f "$ENV_FILE" ] ||
    { echo "build-image: no DOCKER_HOST and no \$STRISK_SERVICES_DIR/env (the test services)" >&2; exit 1; }
  DOCKER_HOST=$(sed -n 's/^STRISK_TEST_DOCKER=//p' "$ENV_FILE")
fi
export DOCKER_HOST
docker version --format '{{.Server.Version}}' >/dev/null ||
  { echo "build-image: no Docker engine at $DOCKER_HOST" >&2; exit 1; }

NODE=$(command -v node)
NODE_VERSION=$(node --version)
BASE_TAG="local/node:${NODE_VERSION#v}"
IMAGE=${STRISK_IMAGE:-strisk:test}
CACHE="$ROOT/.tmp/image-base"
BASE_TAR="$CACHE/node-${NODE_VERSION#v}.tar"

make_base() {
  local rootfs="$CACHE/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{bin,usr/bin,usr/local/bin,usr/local/lib/node_modules,etc,tmp,home/node,root}
  chmod 1777 "$rootfs/tmp"
  cp "$NODE" "$rootfs/usr/local/bin/node"
  cp -R "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  cp "$(command -v dash)" "$rootfs/bin/sh"
  cp "$(command -v env)" "$rootfs/usr/bin/env"
  # Every shared library they link, at the same path.
  for lib in $(ldd "$NODE" "$(command -v dash)" "$(command -v env)" | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
  chown 1000:1000 "$rootfs/home/node"
  tar --numeric-owner -C "$rootfs" -cf "$BASE_TAR.part" .
  mv "$BASE_TAR.part" "$BASE_TAR"
  rm -rf "$rootfs"
}

mkdir -p "$CACHE"
if ! docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  [ -f "$BASE_TAR" ] || make_base
  docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' "$BASE_TAR" "$BASE_TAG" >/dev/null
fi
echo "base: $BASE_TAG"

REG_OUT=$(mktemp)
REG_PID=
trap 'if [ -n "$REG_PID" ]; then kill "$REG_PID" 2>/dev/null || true; fi; rm -f "$REG_OUT"' EXIT
# A fixed port: the registry's URL is a build argument, and a new value would rebuild the npm ci
# layers every run instead of reusing them. It is below Linux's ephemeral range (32768-60999), where
# a test's client socket could hold it; if it is taken anyway, any free port (port 0) does, at the
# cost of those layers.
start_registry() {
  : >"$REG_OUT"
  node "$ROOT/scripts/npm-cache-registry.mjs" "$1" >"$REG_OUT" &
  REG_PID=$!
  for _ in $(seq 50); do
    [ -s "$REG_OUT" ] && return 0
    kill -0 "$REG_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
REG_PORT=${STRISK_NPM_CACHE_PORT:-28730}
if ! start_registry "$REG_PORT"; then
  echo "build-image: port $REG_PORT is taken; the npm cache registry takes a free port" >&2
  start_registry 0 || true
fi
REGISTRY=$(head -n 1 "$REG_OUT")
[ -n "$REGISTRY" ] || { echo "build-image: the npm cache registry did not start on 127.0.0.1 (STRISK_NPM_CACHE_PORT)" >&2; exit 1; }

START=$(date +%s)
DOCKER_BUILDKIT=0 docker build --quiet --network host --build-arg "BASE=$BASE_TAG" \
  --build-arg "NPM_CONFIG_REGISTRY=$REGISTRY" -t "$IMAGE" "$ROOT" >/dev/null
echo "image: $IMAGE built in $(($(date +%s) - START)) s, $(docker image inspect "$IMAGE" --format '{{.Size}}') bytes"

# What the image is: not root, no dev dependency, no health check.
USER_OF=$(docker image inspect "$IMAGE" --format '{{.Config.User}}')
[ "$USER_OF" = node ] || { echo "build-image: the image runs as '$USER_OF', not node" >&2; exit 1; }
if docker run --rm --network none --entrypoint node "$IMAGE" -e \
  "require.resolve('typescript/package.json', { paths: ['/opt/strisk'] })" >/dev/null 2>&1; then
  echo "build-image: the image has a dev dependency (typescript)" >&2
  exit 1
fi

OUT=${TMPDIR:-/tmp}/strisk-image-report.$$.json
set +e
docker run --rm --network none --read-only -v "$ROOT/examples/st-risk-platform:/src:ro" "$IMAGE" \
  audit /src --format json >"$OUT"
CODE=$?
set -e
[ "$CODE" = 1 ] || { echo "build-image: the audit of the example exited $CODE, expected 1" >&2; exit 1; }
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (r.gate?.exitCode !== 1 || !(r.results?.length > 0)) process.exit(1);
console.log(`audit of the example in the image: exit 1, ${r.results.length} results, score ${r.score}`);
' "$OUT" || { echo "build-image: no failed-gate JSON report" >&2; exit 1; }
rm -f "$OUT"
echo "build-image: ok"
