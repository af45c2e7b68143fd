#!/usr/bin/env node
// Runs an audit from the bundle (bundle/, built from dist/ by `npm run build`) when there is one at
// least as new as dist/, else from dist/ (a build by tsc alone, or an install without the bundle). The bundle is one
// classic script, compiled with V8's code cache stored beside it (scripts/bundle.mjs explains why).
// This file is CommonJS (bin/package.json): Node starts a CommonJS entry ~9 ms sooner than an ES
// module, whose loader it would otherwise set up first (BENCHMARKS.md, "Start-up").
'use strict';
const { isAscii } = require('node:buffer');
const { closeSync, openSync, readSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const path = (relative) => join(__dirname, relative);
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const size = (file) => statSync(file, { throwIfNoEntry: false })?.size;
// The file's bytes, read into `buffer` from its start: the part of it they fill.
function readInto(file, buffer) {
  const fd = openSync(file, 'r');
  try {
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
// STRISK_DEBUG_STARTUP=1: one line on stderr saying whether V8 took the bundle's code cache.
const debug = process.env.STRISK_DEBUG_STARTUP === '1';

// Set before the script is compiled, in the runs that make and take its code cache alike (V8 takes
// a cache only under the flags it was made with). --wasm-tiering-budget: V8 hands a WebAssembly
// function (the Python grammar's, tree-sitter's) to its optimizing compiler once it has run about
// this many bytes of code; at the default (1.8 million) a small app's parse starts compiles that
// nothing will use, and Node waits for them before it exits (0-35 ms of the example's audit). At
// 100 times that, an app of 1,000 files still tiers up within its parse (bench/app.mjs: the same
// time); the example's audit took 3-4 % less wall time and 13 % less CPU (BENCHMARKS.md, "Start-up").
// --no-opt: no optimising compiler (TurboFan) for a run that ends before optimised code would pay
// for compiling it; an audit that reads much turns it back on before it reads (src/core/v8-flags.ts).
const BUNDLE_V8_FLAGS = ['--wasm-tiering-budget=180000000', '--no-opt'];

function runBundle(file) {
  const { setFlagsFromString } = require('node:v8');
  // STRISK_CODE_CACHE: the build's own run, which compiles afresh and writes the cache at exit.
  const makeCache = process.env.STRISK_CODE_CACHE;
  // One buffer for both files (the larger's size): the script is read into it and copied into a
  // one-byte string, then the cache is read over it. Each new page costs a fault, and faults are
  // most of a start-up's memory cost (BENCHMARKS.md, "Start-up").
  const cacheFile = `${file}.cache`;
  const buffer = Buffer.allocUnsafeSlow(Math.max(size(file), makeCache ? 0 : (size(cacheFile) ?? 0)));
  // ASCII (scripts/bundle.mjs escapes the rest): read as latin1, a one-byte string, not decoded.
  // The file is already wrapped as Module.wrap would (scripts/bundle.mjs): wrapping it here would
  // make a two-part string that V8 copies into one before it looks the cache up. A bundle built
  // before it was stored so (bin/ pulled, the bundle not rebuilt) is wrapped here as it was then.
  const bytes = readInto(file, buffer);
  const read = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const source = read.startsWith(Module.wrapper[0]) ? read : Module.wrap(read);
  let cachedData;
  if (!makeCache) {
    try {
      cachedData = readInto(cacheFile, buffer);
    } catch {
      // No cache: the script is compiled as any other.
    }
  }
  const script = new Script(source, { filename: file, cachedData });
  if (debug) {
    const state = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
    process.stderr.write(`strisk: code cache ${state}\n`);
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file));
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
  if (makeCache) {
    process.on('exit', () => {
      // V8 takes a code cache only under the flags it was made with. An audit changes some at run
      // time (src/core/v8-flags.ts): the cache is made under the values a run starts with (V8's
      // default semi-space growth, and this file's own flags).
      setFlagsFromString('--semi-space-growth-factor=2');
      for (const flag of BUNDLE_V8_FLAGS) setFlagsFromString(flag);
      writeFileSync(makeCache, script.createCachedData());
    });
  }
  return module.exports;
}

// The app's parse worker, started before the bundle is loaded when the command line says the
// audit may read an app (`--app`, or a config naming an app: src/cli/app-hint.ts, a hint only): it
// boots and loads tree-sitter on the other core while this thread loads the bundle and reads
// YAML, and its parse is done before the file sources are (BENCHMARKS.md, "Start-up"). Unref'd
// until a parse takes it, so it never holds the process. None on one core, nor when the hint
// cannot be asked (a bundle without app-hint.cjs): the audit asks for one itself then.
function startAppWorker(args) {
  try {
    if (require('node:os').availableParallelism() < 2) return undefined;
    if (!require(path('../bundle/app-hint.cjs')).mayReadApp(args)) return undefined;
    const { Worker } = require('node:worker_threads');
    const worker = new Worker(path('../bundle/source-worker.cjs'));
    worker.unref(); // (not chainable: it returns undefined)
    return worker;
  } catch {
    return undefined;
  }
}

// The bundle for an audit, which runs most of strisk; the other commands need a few modules of
// dist/ (`--version` and `checks` none of the checks), fewer than the whole script and its cache.
async function load() {
  const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  const bundle = path('../bundle/strisk.cjs');
  const built = command === 'audit' ? mtime(bundle) : undefined;
  if (built === undefined || built < (mtime(path('../dist/cli/main.js')) ?? 0))
    return import('../dist/cli/main.js');
  const args = process.argv.slice(process.argv.indexOf(command) + 1);
  // The process's flags: set before the worker starts and before the script is compiled.
  const { setFlagsFromString } = require('node:v8');
  for (const flag of BUNDLE_V8_FLAGS) setFlagsFromString(flag);
  const early = startAppWorker(args);
  const exports = runBundle(bundle);
  // The audit keeps the worker for its app, or ends it when it reads none (cancelPrestart); without
  // one started here, it is asked to start one now when the command line says it may read an app.
  try {
    exports.prestartAppWorker(args, early);
  } catch {
    // Only the head start is lost: the collection starts its worker (or parses here) as before.
    early?.terminate();
  }
  return exports;
}

load()
  .then(({ main }) => main(process.argv))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`strisk: internal error: ${err?.stack ?? err}\n`);
      process.exitCode = 2;
    },
  );
