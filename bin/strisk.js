#!/usr/bin/env node
// Runs an audit from the bundle (bundle/, built from dist/ by `npm run build`) when there is one at
// least as new as dist/, else from dist/ (a build by tsc alone, or an install without the bundle). The bundle is one
// classic script, compiled with V8's code cache stored beside it (scripts/bundle.mjs explains why).
import { isAscii } from 'node:buffer';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { V8_FLAGS } from './v8-flags.js';

for (const flag of V8_FLAGS) setFlagsFromString(flag);

const path = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;

function runBundle(file) {
  // STRISK_CODE_CACHE: the build's own run, which compiles afresh and writes the cache at exit.
  const makeCache = process.env.STRISK_CODE_CACHE;
  let cachedData;
  if (!makeCache) {
    try {
      cachedData = readFileSync(`${file}.cache`);
    } catch {
      // No cache: the script is compiled as any other.
    }
  }
  // ASCII (scripts/bundle.mjs escapes the rest): read as latin1, a one-byte string, not decoded.
  const bytes = readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  // What bundle/api.js and bundle/testing.js re-export to plugins, and the import() the script
  // cannot call itself, for the plugins' modules.
  const { api, testing } = module.exports;
  globalThis[Symbol.for('strisk.bundle')] = {
    get api() {
      return api();
    },
    get testing() {
      return testing();
    },
  };
  globalThis[Symbol.for('strisk.import')] = (url) => import(url);
  if (makeCache) process.on('exit', () => writeFileSync(makeCache, script.createCachedData()));
  return module.exports;
}

// The bundle for an audit, which runs most of strisk; the other commands need a few modules of
// dist/ (`--version` and `checks` none of the checks), fewer than the whole script and its cache.
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const bundle = path('../bundle/strisk.cjs');
const built = command === 'audit' ? mtime(bundle) : undefined;
const { main } =
  built !== undefined && built >= (mtime(path('../dist/cli/main.js')) ?? 0)
    ? runBundle(bundle)
    : await import('../dist/cli/main.js');

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`strisk: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 2;
  },
);
