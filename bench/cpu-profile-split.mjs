#!/usr/bin/env node
// Where a start-up's CPU time goes, from a V8 CPU profile (`node --cpu-prof`): self time summed by
// what ran it (module loading and compiling, garbage collection, zod, yaml, strisk's own code by
// directory, other packages), and the heaviest functions. For finding what to cut, not a benchmark.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/strisk.js audit examples/st-risk-platform --format json
//   node bench/cpu-profile-split.mjs /tmp/prof/*.cpuprofile [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/cpu-profile-split.mjs FILE.cpuprofile [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node, from the sample intervals.
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
}

const LOADER = /^node:internal\/(modules|vm|process\/esm_loader)|^node:internal\/url|^node:internal\/fs/;
function category(n) {
  const { functionName: fn, url } = n.callFrame;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(idle)') return fn;
  if (!url) {
    // Native frames: attribute compiling to the module loader (its caller), else to the caller's category.
    const p = parent.get(n.id);
    return p === undefined ? `native ${fn}` : category(nodes.get(p));
  }
  if (LOADER.test(url)) return 'module loading (node)';
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  const own = /\/(dist|bundle|src)\/(.*)$/.exec(url);
  if (own) {
    const parts = own[2].split('/');
    return `strisk ${own[1]}/${parts.length > 1 ? parts.slice(0, parts.length > 2 ? 2 : 1).join('/') : parts[0]}`;
  }
  return url;
}

const byCategory = new Map();
const byFunction = new Map();
let total = 0;
for (const [id, ms] of self) {
  const n = nodes.get(id);
  total += ms;
  const c = category(n);
  byCategory.set(c, (byCategory.get(c) ?? 0) + ms);
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist|bundle|src)\//, '$1/')}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
}
const rows = (m, top) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, ms]) => `| ${k} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)} |`)
    .join('\n');
console.log(`${total.toFixed(1)} ms of samples in ${file}\n`);
console.log(`| self time by what ran | ms | % |\n|---|---:|---:|\n${rows(byCategory, 30)}\n`);
console.log(
  `| heaviest functions (self) | ms | % |\n|---|---:|---:|\n${rows(byFunction, Number(topArg ?? 25))}`,
);
