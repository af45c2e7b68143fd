#!/usr/bin/env node
// Start-up against bare Node, with the issue's goals: `strisk --version`, `strisk checks` and the
// static audit of the example (the issue's command, a terminal report; and with --format json),
// each a fresh process of bin/strisk.js (the bundle when built), alternating with `node -e 0` round
// by round; medians and ratios to `node -e 0` from this one run (the machine is shared and noisy).
// Exits 1 when a ratio is over its goal, so a regression shows here rather than in a timed test.
// `--dist DIR` runs another build as well (e.g. main's, or the one before a change: its dist/), same
// rounds, same run, and then exits 1 too when a case of this build is slower than the same case of
// that one by more than --tolerance (default 0.25: 25 %, this machine's noise).
//   npm run build && node bench/startup.mjs [rounds] [--dist /tmp/before/dist] [--tolerance 0.25]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : 15);
const flag = (name) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const other = flag('--dist');
const tolerance = Number(flag('--tolerance') ?? 0.25);
const example = `${root}examples/st-risk-platform`;

// This build runs as a user runs it, through bin/strisk.js (the bundle when `npm run build` made
// one); another build's dist/ through an entry script that imports its CLI.
const tmp = mkdtempSync(join(tmpdir(), 'strisk-bench-startup-'));
const entry = (dist, name) => {
  const file = join(tmp, `${name}.mjs`);
  writeFileSync(
    file,
    `import { main } from ${JSON.stringify(pathToFileURL(`${dist}/cli/main.js`).href)};\nprocess.exitCode = await main(process.argv);\n`,
  );
  return file;
};
const builds = [['', `${root}bin/strisk.js`], ...(other ? [[' (--dist)', entry(other, 'other')]] : [])];

// Goals of issue 16 (× node -e 0).
const GOALS = { version: 1.6, checks: 2, audit: 4 };
const cases = [['node -e 0', ['-e', '0'], null]];
for (const [label, bin] of builds) {
  cases.push(
    [`strisk --version${label}`, [bin, '--version'], label ? null : 'version'],
    [`strisk checks${label}`, [bin, 'checks'], label ? null : 'checks'],
    [`strisk audit examples/st-risk-platform${label}`, [bin, 'audit', example], label ? null : 'audit'],
    [
      `strisk audit examples/st-risk-platform --format json${label}`,
      [bin, 'audit', example, '--format', 'json'],
      null, // the JSON model asks git for the commit and the repository root: shown, not a goal
    ],
  );
}

function once(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = new Map(cases.map(([name]) => [name, []]));
const loadBefore = loadavg()[0];
try {
  once(cases[1][1]); // warm the file cache, not counted
  // Alternate: each round runs every case once, in turn, so load on the machine hits them alike.
  for (let i = 0; i < rounds; i++) for (const [name, args] of cases) samples.get(name).push(once(args));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const base = median(samples.get('node -e 0'));
let over = false;
console.log('| command | median ms | × node -e 0 | goal |\n|---|---:|---:|---:|');
for (const [name, , goal] of cases) {
  const m = median(samples.get(name));
  const ratio = m / base;
  if (goal && ratio > GOALS[goal]) over = true;
  const verdict = goal ? `≤ ${GOALS[goal]}${ratio > GOALS[goal] ? ' **over**' : ''}` : '';
  console.log(`| \`${name}\` | ${m.toFixed(1)} | ${ratio.toFixed(2)} | ${verdict} |`);
}
// Against the other build: each case of this one over the same case of that one.
if (other) {
  console.log('\n| command | × --dist | tolerance |\n|---|---:|---:|');
  for (const [name] of cases.filter(([n]) => n.endsWith(' (--dist)'))) {
    const mine = name.slice(0, -' (--dist)'.length);
    const ratio = median(samples.get(mine)) / median(samples.get(name));
    const slower = ratio > 1 + tolerance;
    if (slower) over = true;
    console.log(
      `| \`${mine}\` | ${ratio.toFixed(2)} | ≤ ${(1 + tolerance).toFixed(2)}${slower ? ' **slower**' : ''} |`,
    );
  }
}
console.log(
  `\n${rounds} rounds, alternating; node ${process.version}; load average ${loadBefore.toFixed(1)} before, ` +
    `${loadavg()[0].toFixed(1)} after; ${new Date().toISOString()}`,
);
process.exitCode = over ? 1 : 0;
