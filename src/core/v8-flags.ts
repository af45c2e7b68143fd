// The V8 flags an audit sets for itself, at run time, once strisk's modules are loaded and before
// anything is collected.
//
// --semi-space-growth-factor=1: V8's young generation grows to 32 MiB (two 16 MiB semi-spaces) as
// soon as enough survives its scavenges, and what survives an audit is mostly the facts themselves.
// A 1.6 MB compose file of 5,000 services peaked at 34 x its size with that growth and 17 x
// without it (issue 16, goal 6: 20 x). Given on node's command line, the flag did not lower the
// peak (measured): it must be set at run time. It is set after the modules load, not at start:
// what a start-up builds (every module's functions and schemas) all survives, and held at 1 MiB the
// young generation scavenged ~27 times in the audit of the example against 8 times (BENCHMARKS.md,
// "Start-up"). bin/strisk.js makes the bundle's code cache under V8's default value, which a run
// starts with (V8 takes a cache only under the flags it was made with).
import { v8 } from './builtins.js';

export const AUDIT_V8_FLAGS = ['--semi-space-growth-factor=1'];

/** Holds the young generation at the size it has reached (see above); for the CLI's own process. */
export function holdYoungGeneration(): void {
  for (const flag of AUDIT_V8_FLAGS) v8().setFlagsFromString(flag);
}
