#!/usr/bin/env bash
# The test command (`npm test`): build, start the real services the tests need (installing them
# where missing), run every test, stop the services.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
# chdb (an embedded ClickHouse 26.x, ~540 MB) proves the ClickHouse collector's SQL against current
# system tables. It is for tests only and is not in package.json: npm 11 cannot write a lock entry
# for its other platforms' packages, which breaks `npm ci`. So it is installed here when missing.
if ! node -e "require.resolve('chdb')" >/dev/null 2>&1; then
  npm install --no-save --no-audit --no-fund chdb@3.4.0
fi
# The tests' temporary files go to one directory of this run, removed with the services.
TEST_TMP=$(mktemp -d /tmp/strisk-test.XXXXXX)
# Traversable (not listable by others needs no more): tests that run strisk as an unprivileged user
# (an unreadable file must be exit 2) reach their own directories below it; each keeps its own mode.
chmod 711 "$TEST_TMP"
# The stop trap is set before anything starts: when one service fails to start, the ones that did
# start are stopped and their state directories removed too. An interrupt runs it as well.
trap 'bash scripts/test-services.sh stop; rm -rf "$TEST_TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bash scripts/test-services.sh start
TMPDIR="$TEST_TMP" npx vitest run "$@"
