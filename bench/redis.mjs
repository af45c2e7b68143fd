#!/usr/bin/env node
// Redis collector benchmark (run by hand after `npm run build`; needs redis-server and redis-cli):
// two throwaway servers on private ports, 10,000 and 1,000,000 keys (a third sessions, a third
// cached data, a third other), the collect timed against each. Prints a Markdown table.
//   node bench/redis.mjs [runs]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../dist/collectors/redis/index.js';

const RUNS = Number(process.argv[2] ?? 5);
const SIZES = [
  { keys: 10_000, port: 16398 },
  { keys: 1_000_000, port: 16399 },
];
const cli = (port, ...args) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });

function start(port, dir) {
  const r = spawnSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'yes',
    '--pidfile',
    join(dir, 'redis.pid'),
    '--logfile',
    join(dir, 'redis.log'),
  ]);
  if (r.status !== 0) throw new Error(`redis-server on ${port} did not start`);
  for (let i = 0; i < 50 && cli(port, 'ping').stdout.trim() !== 'PONG'; i++) spawnSync('sleep', ['0.1']);
}

/** Loads `n` keys through `redis-cli --pipe`: SET with a TTL for sessions and cache, none for the rest. */
async function load(port, n) {
  const pipe = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise((resolve) => pipe.on('close', resolve));
  const arg = (s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    const key = `${['session', 'cache', 'user'][kind]}:${i}`;
    chunk +=
      kind === 2
        ? `*3\r\n${arg('SET')}${arg(key)}${arg('v')}`
        : `*5\r\n${arg('SET')}${arg(key)}${arg('v')}${arg('EX')}${arg(String(kind === 0 ? 3000 : 600))}`;
    if (chunk.length > 1 << 20) {
      if (!pipe.stdin.write(chunk)) await new Promise((r) => pipe.stdin.once('drain', r));
      chunk = '';
    }
  }
  pipe.stdin.end(chunk);
  await done;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dirs = [];
const rows = [];
try {
  for (const s of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-bench-redis-'));
    dirs.push({ dir, port: s.port });
    start(s.port, dir);
    const t0 = performance.now();
    await load(s.port, s.keys);
    const dbsize = Number(cli(s.port, 'dbsize').stdout.trim());
    process.stderr.write(`loaded ${dbsize} keys on :${s.port} in ${Math.round(performance.now() - t0)} ms\n`);
    for (const [label, extra] of [
      ['default patterns', {}],
      ['a pattern matching nothing', { keyPatterns: [{ pattern: 'nomatch:*', kind: 'other' }] }],
    ]) {
      const times = [];
      let last;
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        last = await collect(
          { url: `redis://127.0.0.1:${s.port}`, ...extra },
          { timeoutMs: 5000, projectDir: '.' },
        );
        times.push(performance.now() - started);
        if (last.status !== 'ok') throw new Error(`${last.status}: ${last.message}`);
      }
      const pats = last.data.nodes[0].sampling.patterns;
      rows.push({
        keys: dbsize,
        label,
        median: median(times),
        max: Math.max(...times),
        sampled: pats.map((p) => p.sampled).reduce((a, b) => a + b, 0),
        scans: pats.map((p) => p.scanCalls).reduce((a, b) => a + b, 0),
        stopped: [...new Set(pats.map((p) => p.stoppedBy))].join(', '),
      });
    }
  }
} finally {
  for (const { dir, port } of dirs) {
    cli(port, 'shutdown', 'nosave');
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(
  `Redis collect, ${RUNS} runs each (Node ${process.version}, redis-server ${spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1]})\n`,
);
console.log(
  '| keys | key patterns | median | max | keys sampled | SCAN calls | sampling stopped by | median vs 10,000 keys |',
);
console.log('|---:|---|---:|---:|---:|---:|---|---:|');
for (const r of rows) {
  const base = rows.find((b) => b.label === r.label && b.keys === rows[0].keys);
  console.log(
    `| ${r.keys.toLocaleString('en')} | ${r.label} | ${fmt(r.median)} | ${fmt(r.max)} | ${r.sampled} | ${r.scans} | ${r.stopped} | ${(r.median / base.median).toFixed(2)}× |`,
  );
}
const worst = Math.max(...rows.map((r) => r.max));
console.log(`\nslowest collect: ${fmt(worst)} (budget 1 s): ${worst < 1000 ? 'within' : 'OVER'}`);
process.exitCode = worst < 1000 ? 0 : 1;
