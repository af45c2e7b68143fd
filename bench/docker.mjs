#!/usr/bin/env node
// Docker at fleet size: starts N tiny containers (`--network none`, a busybox image imported from
// the machine's /bin/busybox) on the test engine, then audits them with `strisk audit` in fresh
// processes, alternating with `docker stats --no-stream` over the same containers (the engine's
// own client doing the same one-sample read), and removes everything at the end.
//   npm run build && STRISK_SERVICES_DIR=/work/services node bench/docker.mjs [containers=50] [rounds=5] [--engine current]
// The engine is the test engine (Debian 12's docker.io, 20.10), or with `--engine current` the second
// one (Debian 13's dockerd, 26.1: scripts/services/docker_current.sh), which samples one-shot at once.
// Reports, per round: the docker source's collection time from the report, the process's wall
// time, the time from the report to the exit, and `docker stats --no-stream`'s wall time.
// STRISK_DIST points at another build directory (default dist/) via its bin.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engine, startFleet } from './docker-fleet.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = process.env.STRISK_BIN ?? `${root}bin/strisk.js`;
const env = Object.fromEntries(
  readFileSync(`${process.env.STRISK_SERVICES_DIR ?? `${root}.tmp/services`}/env`, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const argv = process.argv.slice(2);
const engineAt = argv.indexOf('--engine');
const engineName = engineAt >= 0 ? argv.splice(engineAt, 2)[1] : 'test';
if (engineName !== 'test' && engineName !== 'current') throw new Error('--engine is test or current');
const key = engineName === 'current' ? 'STRISK_TEST_DOCKER_CURRENT' : 'STRISK_TEST_DOCKER';
const url = env[key];
if (!url) throw new Error(`${key} is not in the services env: start the test services`);
const [count = 50, rounds = 5] = argv.map(Number);
const log = (m) => console.error(`# ${m}`);

/** Runs a command; resolves with its wall time, its stdout and when its stdout last grew. */
function timed(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    let lastOut = started;
    child.stdout.on('data', (d) => {
      stdout += d;
      lastOut = performance.now();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const end = performance.now();
      resolve({ code, stdout, stderr, wallMs: end - started, afterOutputMs: end - lastOut });
    });
  });
}

const dockerCli = spawnSync('docker', ['--version']).status === 0 ? 'docker' : null;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const api = engine(url);
const engineVersion = (await api.call('GET', '/version')).Version;
api.close();
log(`engine: ${engineName} (${url}), Docker ${engineVersion}`);

const dir = mkdtempSync(join(tmpdir(), 'strisk-bench-docker-'));
log(`load average before setup: ${load()}`);
const fleet = await startFleet(url, count, { parallel: 8, log });
const onSignal = async () => {
  await fleet.remove();
  rmSync(dir, { recursive: true, force: true });
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
const rows = [];
try {
  writeFileSync(
    join(dir, 'strisk.config.yaml'),
    `targets:\n  docker:\n    - url: ${url}\n      project: ${fleet.project}\n`,
  );
  const loadBefore = load();
  for (let r = 0; r < rounds; r++) {
    const run = await timed(process.execPath, [
      bin,
      'audit',
      dir,
      '--only',
      'docker',
      '--format',
      'json',
      '--timeout',
      '10000',
    ]);
    if (run.stderr.trim() !== '') throw new Error(`strisk wrote to stderr: ${run.stderr.slice(0, 500)}`);
    const report = JSON.parse(run.stdout);
    const source = report.sources.find((s) => s.source === 'docker');
    const cpu = report.results.find((x) => x.id === 'docker/cpu-usage');
    const sampled = cpu?.evidence?.filter((e) => e.observed !== null).length ?? 0;
    if (source?.status !== 'ok') throw new Error(`docker source: ${JSON.stringify(source)}`);
    rows.push({
      tool: 'strisk',
      collectMs: source.durationMs,
      wallMs: run.wallMs,
      afterReportMs: run.afterOutputMs,
      sampled,
    });
    if (dockerCli) {
      const ds = await timed(
        dockerCli,
        ['-H', url, 'stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}}', ...fleet.ids],
        { env: { ...process.env, DOCKER_API_VERSION: '1.41', DOCKER_CONFIG: dir } },
      );
      if (ds.code !== 0) throw new Error(`docker stats: ${ds.stderr}`);
      rows.push({
        tool: 'docker stats --no-stream',
        wallMs: ds.wallMs,
        sampled: ds.stdout.trim().split('\n').length,
      });
    }
  }
  const loadAfter = load();
  console.log(
    `${count} running containers on Docker ${engineVersion}, ${rounds} rounds alternating, fresh processes each`,
  );
  console.log(
    '| round | strisk collect ms | strisk wall ms | report → exit ms | CPU samples | docker stats --no-stream wall ms |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  const mine = rows.filter((x) => x.tool === 'strisk');
  const theirs = rows.filter((x) => x.tool !== 'strisk');
  for (let r = 0; r < rounds; r++) {
    const m = mine[r];
    console.log(
      `| ${r + 1} | ${m.collectMs} | ${m.wallMs.toFixed(0)} | ${m.afterReportMs.toFixed(0)} | ${m.sampled}/${count} | ${theirs[r]?.wallMs.toFixed(0) ?? '–'} |`,
    );
  }
  const collect = median(mine.map((m) => m.collectMs));
  const cli = theirs.length > 0 ? median(theirs.map((t) => t.wallMs)) : null;
  console.log(
    `median: strisk collects ${count} containers in ${collect} ms (wall ${median(mine.map((m) => m.wallMs)).toFixed(0)} ms)` +
      (cli === null
        ? ''
        : `; docker stats --no-stream ${cli.toFixed(0)} ms; ratio ${(collect / cli).toFixed(2)}`),
  );
  console.log(
    `node ${process.version}; ${new Date().toISOString()}; load average ${loadBefore} before, ${loadAfter} after`,
  );
} finally {
  await fleet.remove();
  rmSync(dir, { recursive: true, force: true });
  log(`removed ${fleet.project}`);
}
