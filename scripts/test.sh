#!/usr/bin/env bash
# The test command (`npm test`): build, start the real services the tests need (installing them
# where missing), run every test, stop the services.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
bash scripts/test-services.sh start
trap 'bash scripts/test-services.sh stop' EXIT
npx vitest run "$@"
