#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// PostgreSQL collector benchmark (by hand, after `npm run build` and
// `scripts/test-services.sh start postgres`): two databases on the good test cluster, one with
// 100 tables and one with 10,000 (made in one DO block each), each audited RUNS times. Queries
// per audit must not grow with tables; time and memory are given as ratios measured in the same
// run (the machines are shared and noisy). Prints a Markdown table; drops the databases after.
//   node bench/postgres.mjs [runs]
import pg from 'pg';
import { collect } from '../dist/collectors/postgres/index.js';

// Addresses written by scripts/test-services.sh start.
function serviceEnvValue(key) {
  const file = `${process.env.STRISK_SERVICES_DIR ?? new URL('../.tmp/services', import.meta.url).pathname}/env`;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`${key} is not in ${file}: run scripts/test-services.sh start postgres`);
  return line.slice(key.length + 1);
}

const RUNS = Number(process.argv[2] ?? 5);
const admin = serviceEnvValue('STRISK_TEST_PG_GOOD_ADMIN');
const auditor = serviceEnvValue('STRISK_TEST_PG_GOOD');
const SIZES = [100, 10_000];

const withDb = (url, db) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function sql(url, text) {
  const c = new pg.Client(url);
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function setup(n) {
  const db = `bench_${n}`;
  await sql(admin, `DROP DATABASE IF EXISTS ${db}`);
  await sql(admin, `CREATE DATABASE ${db}`);
  // One DO block per 1,000 tables: a single transaction cannot lock 10,000 new tables.
  for (let from = 1; from <= n; from += 1000) {
    await sql(
      withDb(admin, db),
      `DO $$ BEGIN FOR i IN ${from}..${Math.min(n, from + 999)} LOOP
         EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text)', i);
         EXECUTE format('INSERT INTO t%s VALUES (1, ''x'')', i);
       END LOOP; END $$`,
    );
  }
  await sql(withDb(admin, db), 'ANALYZE');
  return db;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(db) {
  const times = [];
  const heaps = [];
  let facts;
  for (let i = 0; i < RUNS; i++) {
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    facts = await collect(
      { url: withDb(auditor, db), memory: '1GB' },
      { timeoutMs: 30_000, projectDir: '.' },
    );
    times.push(performance.now() - t0);
    heaps.push(Math.max(0, process.memoryUsage().heapUsed - heap0));
    if (facts.status !== 'ok') throw new Error(`${db}: ${facts.status} ${facts.message}`);
  }
  return {
    queries: facts.data.queries,
    tables: facts.data.tables.length,
    ms: median(times),
    heap: median(heaps),
    json: JSON.stringify(facts).length,
  };
}

const dbs = [];
try {
  const t0 = performance.now();
  for (const n of SIZES) dbs.push(await setup(n));
  const setupMs = performance.now() - t0;
  const rows = [];
  for (const db of dbs) rows.push(await measure(db));
  const [small, large] = rows;
  const f = (x) => x.toFixed(1);
  console.log(`PostgreSQL collector, ${RUNS} audits per size (median); setup ${f(setupMs / 1000)} s\n`);
  console.log(
    '| tables | queries per audit | tables read | time (ms) | heap growth (MB) | facts JSON (kB) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const [i, r] of rows.entries()) {
    console.log(
      `| ${SIZES[i]} | ${r.queries} | ${r.tables} | ${f(r.ms)} | ${f(r.heap / 2 ** 20)} | ${f(r.json / 1024)} |`,
    );
  }
  console.log(
    `| **ratio 10,000 / 100** | ${large.queries / small.queries} | ${large.tables / small.tables} | ${f(large.ms / small.ms)} | ${f(large.heap / Math.max(1, small.heap))} | ${f(large.json / small.json)} |`,
  );
} finally {
  for (const db of dbs) await sql(admin, `DROP DATABASE IF EXISTS ${db}`).catch(() => {});
}
