#!/usr/bin/env bash
# Proves that the npm package ships what runs and runs from what it ships: packs strisk the way
# `npm publish` would (the `prepare` build included), checks the tarball's contents, installs it
# into an empty directory without dev dependencies, and runs the installed `strisk` on the example.
# The pack happens in a staged copy of the sources, so the checkout's dist/ is never touched (tests
# running in parallel use it). Dependencies come from the local npm cache when they are all there
# (`--offline`), else from the registry. Usage: scripts/check-package.sh [WORKDIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-$(mktemp -d "${TMPDIR:-/tmp}/strisk-package.XXXXXX")}
mkdir -p "$WORK"
STAGE="$WORK/stage" APP="$WORK/app" OUT="$WORK/out"
rm -rf "$STAGE" "$APP" "$OUT"
mkdir -p "$STAGE" "$APP" "$OUT"

# 1. Stage the sources and pack (npm pack runs `prepare`: a clean build of dist/).
cd "$ROOT"
cp -R package.json package-lock.json tsconfig.json tsconfig.build.json LICENSE README.md bin src scripts "$STAGE/"
ln -s "$ROOT/node_modules" "$STAGE/node_modules"
(cd "$STAGE" && npm pack --silent --pack-destination "$OUT" >"$OUT/name.txt")
TARBALL="$OUT/$(tail -n 1 "$OUT/name.txt")"
[ -f "$TARBALL" ] || { echo "check-package: npm pack wrote no tarball" >&2; exit 1; }

# 2. What it ships: bin, bundle, dist, LICENSE, README, package.json; no source maps, no sources, no tests.
tar -tzf "$TARBALL" | sort >"$OUT/files.txt"
fail() { echo "check-package: $*" >&2; exit 1; }
grep -qx 'package/LICENSE' "$OUT/files.txt" || fail "no LICENSE in the tarball"
grep -qx 'package/bin/strisk.js' "$OUT/files.txt" || fail "no bin/strisk.js in the tarball"
grep -qx 'package/dist/cli/main.js' "$OUT/files.txt" || fail "no dist/cli/main.js in the tarball"
# The CLI's bundle (what bin/strisk.js runs an audit from), its code cache, and the modules a plugin
# and a worker thread load beside it, the XML builder the JUnit reporter requires, and zod's locales.
for f in strisk.cjs strisk.cjs.cache api.js testing.js plugin-hooks.js source-worker.cjs xmlbuilder2.cjs zod-locales.cjs; do
  grep -qx "package/bundle/$f" "$OUT/files.txt" || fail "no bundle/$f in the tarball"
done
# The public API: strisk/api and strisk/testing, with their types.
for f in api/index.js api/index.d.ts testing/index.js testing/index.d.ts; do
  grep -qx "package/dist/$f" "$OUT/files.txt" || fail "no dist/$f in the tarball"
done
if grep -E '\.map$|^package/(src|test|fixtures|examples|bench|scripts)/' "$OUT/files.txt"; then
  fail "the tarball ships the files above, which do not run"
fi
echo "tarball: $(basename "$TARBALL") $(stat -c %s "$TARBALL") bytes, $(wc -l <"$OUT/files.txt") files"

# 3. Install into an empty directory without dev dependencies.
cd "$APP"
printf '{ "name": "strisk-package-check", "private": true }\n' >package.json
INSTALL=(npm install --omit=dev --no-audit --no-fund --no-save --loglevel=error "$TARBALL")
if ! "${INSTALL[@]}" --offline >"$OUT/install.log" 2>&1; then
  echo "check-package: not every dependency is in the npm cache; installing from the registry"
  "${INSTALL[@]}" >"$OUT/install.log" 2>&1 || { cat "$OUT/install.log" >&2; fail "npm install of the tarball failed"; }
fi
[ ! -e node_modules/typescript ] || fail "a dev dependency (typescript) was installed"

# 4. Run it: `npx strisk` resolves the installed bin (--no-install: never the registry).
VERSION=$(npx --no-install strisk --version)
[ "$VERSION" = "$(node -p "require('$ROOT/package.json').version")" ] || fail "strisk --version printed '$VERSION'"
echo "strisk --version: $VERSION"
set +e
npx --no-install strisk audit "$ROOT/examples/st-risk-platform" --format json="$OUT/report.json" \
  --format junit="$OUT/report.xml" --format terminal >"$OUT/audit.txt" 2>&1
CODE=$?
set -e
# The example fails some items: exit 1, and a complete JSON report.
[ "$CODE" = 1 ] || { cat "$OUT/audit.txt" >&2; fail "audit of the example exited $CODE, expected 1"; }
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (!Array.isArray(r.results) || r.results.length === 0 || r.gate?.exitCode !== 1) process.exit(1);
console.log(`audit of the example: exit 1, ${r.results.length} results, score ${r.score}`);
' "$OUT/report.json" || fail "the JSON report of the example is not a failed-gate report"
# The JUnit report, from the XML builder's own script beside the bundle (bundle/xmlbuilder2.cjs).
grep -q '<testsuites name="strisk"' "$OUT/report.xml" || fail "no JUnit report of the example"
# 5. The exports a plugin imports resolve in the installed package (and nothing else is exported).
node --input-type=module -e '
const api = await import("strisk/api");
const testing = await import("strisk/testing");
if (api.API_VERSION !== 1 || typeof api.defineCheck !== "function" || typeof api.z?.object !== "function") process.exit(1);
if (typeof testing.assertCheck !== "function" || typeof testing.CheckTester !== "function") process.exit(1);
console.log(`strisk/api: API version ${api.API_VERSION}; strisk/testing: ${Object.keys(testing).length} exports`);
' || fail "strisk/api or strisk/testing does not import from the installed package"
echo "check-package: ok"
