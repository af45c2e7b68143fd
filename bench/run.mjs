#!/usr/bin/env node
// Start-up and file-audit speed, as ratios to `node -e 0` measured in the same run (these
// machines are shared and noisy: absolute times mean little, ratios in one run do).
// Usage: npm run build && node bench/run.mjs [rounds] [--before DIR]   (the app collector alone: node bench/app.mjs)
// --before DIR: also time an earlier build (a copy of bin/, dist/ and package.json, with node_modules)
// in the same run, for before/after ratios of `--version` and the example audit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const beforeAt = args.indexOf('--before');
const before = beforeAt >= 0 ? args.splice(beforeAt, 2)[1] : undefined;
// --no-app: leave out the polar audit (seconds per round), for more rounds of the start-up cases.
const noApp = args.includes('--no-app') && args.splice(args.indexOf('--no-app'), 1).length > 0;
const rounds = Number(args[0] ?? 15);
const bin = `${root}bin/strisk.js`;
const example = `${root}examples/st-risk-platform`;
// The largest real FastAPI code base of the corpus; bench/app.mjs breaks the app collector down.
const polar = `${root}fixtures/real-world/fastapi/polar`;

const cases = [
  ['node -e 0', ['-e', '0']],
  ['strisk --version', [bin, '--version']],
  ['strisk checks --format json', [bin, 'checks', '--format', 'json']],
  ['strisk audit examples/st-risk-platform', [bin, 'audit', example, '--format', 'json']],
  [
    'strisk audit examples/st-risk-platform --plugin acme (3 plugin checks)',
    [bin, 'audit', example, '--format', 'json', '--plugin', `${root}examples/plugins/acme`],
  ],
  ...(before
    ? [
        ['before: strisk --version', [`${before}/bin/strisk.js`, '--version']],
        [
          'before: strisk audit examples/st-risk-platform',
          [`${before}/bin/strisk.js`, 'audit', example, '--format', 'json'],
        ],
      ]
    : []),
  [
    'strisk audit polar --app server/polar (1,033 .py)',
    [bin, 'audit', polar, '--app', 'server/polar', '--format', 'json'],
  ],
].filter(([name]) => !(noApp && name.includes('polar')));

function once(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = new Map(cases.map(([name]) => [name, []]));
// Interleave the cases so that load on the machine hits them all alike.
for (let i = 0; i < rounds; i++) for (const [name, args] of cases) samples.get(name).push(once(args));
const base = median(samples.get('node -e 0'));
console.log(`| command | median ms | × node -e 0 |\n|---|---:|---:|`);
for (const [name] of cases) {
  const m = median(samples.get(name));
  console.log(`| \`${name}\` | ${m.toFixed(1)} | ${(m / base).toFixed(2)} |`);
}
console.log(`\n${rounds} rounds, interleaved; node ${process.version}; ${new Date().toISOString()}`);
