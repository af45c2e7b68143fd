#!/usr/bin/env node
// Start-up against bare Node, with the issue's goals: `strisk --version`, `strisk checks` and the
// static audit of the example, each a fresh process, alternating with `node -e 0` round by round;
// medians and ratios to `node -e 0` from this one run (the machine is shared and noisy). Exits 1
// when a ratio is over its goal, so a regression shows here rather than in a timed test.
// `--dist DIR` runs another build as well (e.g. the one before a change), same rounds, same run.
//   npm run build && node bench/startup.mjs [rounds] [--dist /tmp/before/dist]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : 15);
const other = process.argv.includes('--dist') ? process.argv[process.argv.indexOf('--dist') + 1] : undefined;
const example = `${root}examples/st-risk-platform`;

// One entry script per build, so that a build elsewhere runs the same way as this one.
const tmp = mkdtempSync(join(tmpdir(), 'strisk-bench-startup-'));
const entry = (dist, name) => {
  const file = join(tmp, `${name}.mjs`);
  writeFileSync(
    file,
    `import { main } from ${JSON.stringify(pathToFileURL(`${dist}/cli/main.js`).href)};\nprocess.exitCode = await main(process.argv);\n`,
  );
  return file;
};
const builds = [['', entry(`${root}dist`, 'this')], ...(other ? [[' (--dist)', entry(other, 'other')]] : [])];

// Goals of issue 16 (× node -e 0).
const GOALS = { version: 1.6, checks: 2, audit: 4 };
const cases = [['node -e 0', ['-e', '0'], null]];
for (const [label, bin] of builds) {
  cases.push(
    [`strisk --version${label}`, [bin, '--version'], label ? null : 'version'],
    [`strisk checks${label}`, [bin, 'checks'], label ? null : 'checks'],
    [
      `strisk audit examples/st-risk-platform${label}`,
      [bin, 'audit', example, '--format', 'json'],
      label ? null : 'audit',
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
console.log(
  `\n${rounds} rounds, alternating; node ${process.version}; load average ${loadBefore.toFixed(1)} before, ` +
    `${loadavg()[0].toFixed(1)} after; ${new Date().toISOString()}`,
);
process.exitCode = over ? 1 : 0;
