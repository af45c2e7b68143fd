#!/usr/bin/env node
// ClickHouse collector against the floor of what it reads: the same statements sent with curl.
// Creates a database of TABLES tables of 20 columns (default 10,000) with a unique name on the
// test server, then alternates, ROUNDS times: the collector (in this process), and curl sending
// the probe and then the collector's six statements side by side (`curl --parallel`, one process).
// Also records, in a fresh `strisk audit --only clickhouse --save-facts` process, the size of the
// facts file and the peak RSS. Drops the database at the end (unless --keep).
//   npm run build && node bench/clickhouse-curl.mjs [rounds] [--tables N] [--db NAME] [--keep] [--before DIST]
// STRISK_DIST points at another build directory (default dist/); --before DIST adds that build's
// collector to the same alternation (before and after a change, in one run, under one load).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.STRISK_DIST ?? `${root}dist`;
const { collect } = await import(pathToFileURL(`${dist}/collectors/clickhouse/index.js`).href);
const { PROBE_SQL, auditQueries, capabilitiesOf } = await import(
  pathToFileURL(`${dist}/collectors/clickhouse/sql.js`).href
);

const env = Object.fromEntries(
  readFileSync(`${process.env.STRISK_SERVICES_DIR ?? `${root}.tmp/services`}/env`, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const admin = new URL(env.STRISK_TEST_CLICKHOUSE);
const auditor = new URL(env.STRISK_TEST_CLICKHOUSE_AUDITOR);
const origin = `${auditor.protocol}//${auditor.host}`;
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const beforeDist = arg('--before');
const collectBefore = beforeDist
  ? (await import(pathToFileURL(`${beforeDist}/collectors/clickhouse/index.js`).href)).collect
  : null;
const rounds = Number(process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : 5);
const n = Number(arg('--tables') ?? 10_000);
// The server is shared: a name no other run uses.
const db = arg('--db') ?? `strisk_bench_ch_${process.pid}_${Date.now().toString(36)}`;

// Query ids starting with strisk- keep these statements out of the query log figures the tests and the
// checks read (the collector leaves its own out the same way).
let sent = 0;
const queryUrl = () => `${origin}/?query_id=strisk-bench-${process.pid}-${++sent}`;
async function sql(query) {
  const res = await fetch(`${queryUrl()}&user=${admin.username || 'default'}`, {
    method: 'POST',
    body: query,
  });
  if (!res.ok) throw new Error(`${query.slice(0, 80)}: ${await res.text()}`);
  return res.text();
}

const columns = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'ts DateTime' : `c${i} UInt64`)).join(', ');
async function prepare() {
  await sql(`CREATE DATABASE IF NOT EXISTS ${db}`);
  const have = Number(await sql(`SELECT count() FROM system.tables WHERE database = '${db}'`));
  if (have === n) return;
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) =>
        sql(
          `CREATE TABLE IF NOT EXISTS ${db}.t${i + j} (${columns}) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (ts, c1)`,
        ),
      ),
    );
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'strisk-bench-ch-'));
const run = (cmd, args) =>
  new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
const curlArgs = (file) => [
  '-sf',
  '-u',
  `${decodeURIComponent(auditor.username)}:${decodeURIComponent(auditor.password)}`,
  '--data-binary',
  `@${file}`,
  '-o',
  '/dev/null',
  queryUrl(),
];

let statements;
async function curlRound() {
  const t = performance.now();
  await run('curl', curlArgs(statements[0]));
  const rest = statements.slice(1);
  await run('curl', [
    '--no-progress-meter',
    '-Z',
    '--parallel-max',
    String(rest.length),
    ...rest.flatMap((f, i) => [...(i ? ['--next'] : []), ...curlArgs(f)]),
  ]);
  return performance.now() - t;
}

let facts;
async function collectorRound(fn = collect) {
  const t = performance.now();
  const got = await fn({ url: auditor.href, databases: [db] }, { timeoutMs: 60_000, projectDir: root });
  const ms = performance.now() - t;
  if (got.status !== 'ok') throw new Error(`collector: ${got.status} ${got.message}`);
  if (fn === collect) facts = got;
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadBefore = loadavg()[0];
try {
  await prepare();
  // The statements the collector sends, built the way it builds them (probe first).
  const probe = (
    await (
      await fetch(`${queryUrl()}&user=${auditor.username}&password=${auditor.password}`, {
        method: 'POST',
        body: `${PROBE_SQL}\nFORMAT JSONEachRow`,
      })
    ).text()
  )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const caps = capabilitiesOf(probe, probe[0].version);
  statements = [PROBE_SQL, ...Object.values(auditQueries(caps, [db], 24))].map((q, i) => {
    const file = join(tmp, `q${i}.sql`);
    writeFileSync(file, `${q}\nFORMAT JSONEachRow`);
    return file;
  });
  const ours = [];
  const theirs = [];
  const before = [];
  await collectorRound(); // warm-up, not counted
  if (collectBefore) await collectorRound(collectBefore);
  // Each round runs every case once, starting one further along each time.
  const cases = [
    async () => ours.push(await collectorRound()),
    async () => theirs.push(await curlRound()),
    ...(collectBefore ? [async () => before.push(await collectorRound(collectBefore))] : []),
  ];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) await cases[(r + i) % cases.length]();
  }
  // The CLI in a fresh process: facts file size and peak RSS.
  writeFileSync(
    join(tmp, 'strisk.config.yaml'),
    `targets:\n  clickhouse:\n    - url: ${auditor.href}\n      databases: [${db}]\n`,
  );
  const preload = join(tmp, 'maxrss.cjs');
  writeFileSync(
    preload,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.MAXRSS_FILE, String(process.resourceUsage().maxRSS)));",
  );
  const runner = join(tmp, 'strisk.mjs');
  writeFileSync(
    runner,
    `import { main } from ${JSON.stringify(pathToFileURL(`${dist}/cli/main.js`).href)};\nprocess.exitCode = await main(process.argv);\n`,
  );
  const cli = spawnSync(
    process.execPath,
    [
      '--require',
      preload,
      runner,
      'audit',
      tmp,
      '--only',
      'clickhouse',
      '--timeout',
      '60000',
      '--save-facts',
      join(tmp, 'facts.json'),
      '--format',
      `json=${join(tmp, 'report.json')}`,
    ],
    { env: { ...process.env, MAXRSS_FILE: join(tmp, 'maxrss') }, encoding: 'utf8' },
  );
  if (cli.status !== 0 && cli.status !== 1)
    throw new Error(`strisk audit exited ${cli.status}: ${cli.stderr}`);
  const factsBytes = statSync(join(tmp, 'facts.json')).size;
  const peakKiB = Number(readFileSync(join(tmp, 'maxrss'), 'utf8'));

  const a = median(ours);
  const b = median(theirs);
  console.log('| case | median ms | × curl |\n|---|---:|---:|');
  console.log(
    `| curl: probe, then the ${statements.length - 1} statements side by side | ${b.toFixed(0)} | 1.00 |`,
  );
  console.log(
    `| strisk ClickHouse collector (${facts.data.queries} queries) | ${a.toFixed(0)} | ${(a / b).toFixed(2)} |`,
  );
  if (collectBefore) {
    const c = median(before);
    console.log(`| the same, built from ${beforeDist} | ${c.toFixed(0)} | ${(c / b).toFixed(2)} |`);
  }
  console.log(
    `\n${facts.data.tables.length} tables of 20 columns; ${rounds} rounds alternating, medians; ` +
      `\`strisk audit --only clickhouse --save-facts\`: facts file ${(factsBytes / 2 ** 20).toFixed(1)} MiB, ` +
      `peak RSS ${(peakKiB / 1024).toFixed(0)} MiB, exit ${cli.status}; ClickHouse ${probe[0].version}; node ${process.version}; ` +
      `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; ${new Date().toISOString()}`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
  // The test server is shared: leave no bench database behind.
  if (!process.argv.includes('--keep')) await sql(`DROP DATABASE IF EXISTS ${db}`);
}
