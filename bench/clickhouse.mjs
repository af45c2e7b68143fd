#!/usr/bin/env node
// ClickHouse collector at scale: audits databases of 10 and 1,000 (and with --huge 10,000) tables of
// 20 columns each on the test server, and shows that the queries per audit stay the same while
// the time grows with the tables only. Needs the built collector and the test server:
//   npm run build && scripts/test-services.sh start clickhouse && node bench/clickhouse.mjs [rounds] [--huge] [--keep]
// STRISK_DIST points at another build directory (default dist/).
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.STRISK_DIST ?? `${root}dist`;
const { collect } = await import(pathToFileURL(`${dist}/collectors/clickhouse/index.js`).href);

const env = Object.fromEntries(
  readFileSync(`${process.env.STRISK_SERVICES_DIR ?? `${root}.tmp/services`}/env`, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const admin = new URL(env.STRISK_TEST_CLICKHOUSE);
const auditor = env.STRISK_TEST_CLICKHOUSE_AUDITOR;
const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
const sizes = process.argv.includes('--huge') ? [10, 1000, 10_000] : [10, 1000];

async function sql(query) {
  const res = await fetch(`${admin.protocol}//${admin.host}/?user=default`, { method: 'POST', body: query });
  if (!res.ok) throw new Error(`${query.slice(0, 80)}: ${await res.text()}`);
  return res.text();
}

const columns = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'ts DateTime' : `c${i} UInt64`)).join(', ');
async function prepare(n) {
  const db = `bench_${n}`;
  const have = Number(await sql(`SELECT count() FROM system.tables WHERE database = '${db}'`));
  if (have === n) return db;
  await sql(`DROP DATABASE IF EXISTS ${db}`);
  await sql(`CREATE DATABASE ${db}`);
  const batch = 50;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, (_, j) =>
        sql(
          `CREATE TABLE ${db}.t${i + j} (${columns}) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (ts, c1)`,
        ),
      ),
    );
  }
  return db;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const n of sizes) {
  const db = await prepare(n);
  const times = [];
  let facts;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    facts = await collect({ url: auditor, databases: [db] }, { timeoutMs: 30_000, projectDir: root });
    times.push(performance.now() - t);
    if (facts.status !== 'ok') throw new Error(`${n} tables: ${facts.status} ${facts.message}`);
  }
  results.push({
    n,
    ms: median(times),
    queries: facts.data.queries,
    tables: facts.data.tables.length,
    json: JSON.stringify(facts).length,
  });
}
// The test server's checks expect only the test data: leave no bench database behind.
if (!process.argv.includes('--keep')) for (const n of sizes) await sql(`DROP DATABASE IF EXISTS bench_${n}`);
const base = results[0].ms;
console.log(
  '| tables (20 columns) | queries per audit | median ms | × 10 tables | facts JSON |\n|---:|---:|---:|---:|---:|',
);
for (const r of results) {
  console.log(
    `| ${r.tables} | ${r.queries} | ${r.ms.toFixed(1)} | ${(r.ms / base).toFixed(2)} | ${(r.json / 1024).toFixed(0)} KiB |`,
  );
}
console.log(
  `\n${rounds} rounds each; ClickHouse 18.16 test server; node ${process.version}; peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; ${new Date().toISOString()}`,
);
