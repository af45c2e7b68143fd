// The V8 flags an audit changes for itself, at run time.
//
// --semi-space-growth-factor=1 (holdYoungGeneration): V8's young generation grows to 32 MiB (two
// 16 MiB semi-spaces) as soon as enough survives its scavenges, and what survives an audit is
// mostly the facts themselves. A 1.6 MB compose file of 5,000 services peaked at 34 x its size
// with that growth and 17 x without it (issue 16, goal 6: 20 x). Given on node's command line, the
// flag did not lower the peak (measured): it must be set at run time. It is set after the modules
// load, not at start: what a start-up builds (every module's functions and schemas) all survives,
// and held at 1 MiB the young generation scavenged ~27 times in the audit of the example against 8
// times (BENCHMARKS.md, "Start-up").
//
// --opt (optimizeFromNowOn): bin/strisk.js starts the bundle with V8's optimising compiler off
// (--no-opt). A small audit is over before optimised code would pay for its compiling, which runs
// on the machine's other core beside the app's parse worker: the example's audit took 6 % less wall
// time and 15 % less CPU without it (BENCHMARKS.md, "Start-up"). A run that reads much turns it back
// on before it reads: live servers (a ClickHouse of 10,000 tables, the HTTP probe's load), recorded
// facts, and local input past LONG_RUN_BYTES (a 5,000-service compose file, a thousand Python
// files, a rendered Helm chart). Code that already ran is optimised too once it is hot again.
//
// bin/strisk.js makes the bundle's code cache under the flags a run starts with (V8 takes a cache
// only under the flags it was made with), whatever the run that made it turned on.
import { v8 } from './builtins.js';

export const AUDIT_V8_FLAGS = ['--semi-space-growth-factor=1'];

/** Holds the young generation at the size it has reached (see above); for the CLI's own process. */
export function holdYoungGeneration(): void {
  for (const flag of AUDIT_V8_FLAGS) v8().setFlagsFromString(flag);
}

/** Local input from which an audit counts as long: V8's optimising compiler is turned back on. */
export const LONG_RUN_BYTES = 256 * 1024;

let optimizing = false;
let inputBytes = 0;

/**
 * Turns V8's optimising compiler back on (see above), once per process. Without the bundle (dist/,
 * tests) it was never off and this changes nothing.
 */
export function optimizeFromNowOn(): void {
  if (optimizing) return;
  optimizing = true;
  v8().setFlagsFromString('--opt');
}

/** Counts local input about to be parsed; past LONG_RUN_BYTES in all, optimizeFromNowOn. */
export function noteInputBytes(bytes: number): void {
  if (optimizing) return;
  inputBytes += bytes;
  if (inputBytes >= LONG_RUN_BYTES) optimizeFromNowOn();
}
