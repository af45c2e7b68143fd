// V8 flags strisk sets for itself, at run time, before anything is compiled (bin/strisk.js; the
// bundle's code cache is made and used under them, and bench/compose-memory.mjs measures the
// collector under them).
//
// --semi-space-growth-factor=1: V8's young generation grows to 32 MiB (two 16 MiB semi-spaces) as
// soon as enough survives its scavenges, and what survives an audit is mostly the facts themselves.
// A 1.6 MB compose file of 5,000 services peaked at 34 x its size with that growth and 17.8 x
// without it (issue 16, goal 6: 20 x); the audit of the example and the app collector on polar took
// no measurable time more (BENCHMARKS.md, "Compose memory"). Given on node's command line instead,
// the same flag did not change the peak (measured): it must be set this way.
export const V8_FLAGS = ['--semi-space-growth-factor=1'];
