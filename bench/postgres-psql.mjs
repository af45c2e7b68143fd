#!/usr/bin/env node
// PostgreSQL collector against psql running the same statements. Creates a database of TABLES
// tables (default 10,000; one row each, analysed) with a unique name on the test cluster, records
// the statements the collector sends (one warm-up audit), then alternates ROUNDS times: the
// collector (in this process) and `psql -f` of those statements (unaligned output to /dev/null),
// each connecting afresh. Drops the database at the end (unless --keep).
//   npm run build && node bench/postgres-psql.mjs [rounds] [--tables N] [--db NAME] [--keep]
// STRISK_DIST points at another build directory (default dist/).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.STRISK_DIST ?? `${root}dist`;
const { collect } = await import(pathToFileURL(`${dist}/collectors/postgres/index.js`).href);

const env = Object.fromEntries(
  readFileSync(`${process.env.STRISK_SERVICES_DIR ?? `${root}.tmp/services`}/env`, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : 5);
const n = Number(arg('--tables') ?? 10_000);
// The cluster is shared: a name no other run uses.
const db = arg('--db') ?? `strisk_bench_pg_${process.pid}_${Date.now().toString(36)}`;
const withDb = (url, name) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};
// Creating and dropping run in the maintenance database: statements in the test database
// (a DROP DATABASE takes seconds) would count in its pg_stat_statements, which checks read.
const admin = withDb(env.STRISK_TEST_PG_GOOD_ADMIN, 'postgres');
const auditor = withDb(env.STRISK_TEST_PG_GOOD, db);

async function sql(url, text) {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function prepare() {
  const exists = await sql(admin, `SELECT 1 FROM pg_database WHERE datname = '${db}'`);
  if (exists.rowCount === 0) await sql(admin, `CREATE DATABASE ${db}`);
  const have = Number(
    (await sql(withDb(admin, db), 'SELECT count(*) AS n FROM pg_stat_user_tables')).rows[0].n,
  );
  if (have === n) return;
  // One DO block per 1,000 tables: a single transaction cannot lock 10,000 new tables.
  for (let from = have + 1; from <= n; from += 1000) {
    await sql(
      withDb(admin, db),
      `DO $$ BEGIN FOR i IN ${from}..${Math.min(n, from + 999)} LOOP
         EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text)', i);
         EXECUTE format('INSERT INTO t%s VALUES (1, ''x'')', i);
       END LOOP; END $$`,
    );
  }
  await sql(withDb(admin, db), 'ANALYZE');
}

// The statements the collector sends, recorded from its client, parameters written as literals.
const literal = (v) =>
  Array.isArray(v)
    ? `ARRAY[${v.map(literal).join(', ')}]`
    : typeof v === 'number'
      ? String(v)
      : `'${String(v).replace(/'/g, "''")}'`;
async function recordStatements() {
  const sent = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (text, params, ...rest) {
    if (typeof text === 'string') {
      sent.push(
        Array.isArray(params) ? text.replace(/\$(\d+)/g, (_, i) => literal(params[Number(i) - 1])) : text,
      );
    }
    return query.call(this, text, params, ...rest);
  };
  try {
    await collectOnce();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

let facts;
async function collectOnce() {
  const t = performance.now();
  facts = await collect({ url: auditor }, { timeoutMs: 60_000, projectDir: root });
  const ms = performance.now() - t;
  if (facts.status !== 'ok') throw new Error(`collector: ${facts.status} ${facts.message}`);
  return ms;
}

const tmp = mkdtempSync(join(tmpdir(), 'strisk-bench-pg-'));
const file = join(tmp, 'audit.sql');
function psqlOnce() {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(
      'psql',
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', file, auditor],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - t) : reject(new Error(`psql exited ${code}`)),
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadBefore = loadavg()[0];
try {
  const t0 = performance.now();
  await prepare();
  const setupMs = performance.now() - t0;
  const statements = await recordStatements();
  writeFileSync(file, `${statements.map((s) => `${s.replace(/;\s*$/, '')};`).join('\n')}\n`);
  const ours = [];
  const theirs = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ours.push(await collectOnce());
      theirs.push(await psqlOnce());
    } else {
      theirs.push(await psqlOnce());
      ours.push(await collectOnce());
    }
  }
  const a = median(ours);
  const b = median(theirs);
  console.log('| case | median ms | × psql |\n|---|---:|---:|');
  console.log(`| \`psql -f\` of the same ${statements.length} statements | ${b.toFixed(0)} | 1.00 |`);
  console.log(
    `| strisk PostgreSQL collector (${facts.data.queries} queries) | ${a.toFixed(0)} | ${(a / b).toFixed(2)} |`,
  );
  console.log(
    `\n${facts.data.tables.length} tables read; ${rounds} rounds alternating, medians; facts JSON ` +
      `${(JSON.stringify(facts).length / 2 ** 20).toFixed(2)} MiB; setup ${(setupMs / 1000).toFixed(1)} s; ` +
      `${facts.data.server.version.split(' ')[0]}; node ${process.version}; ` +
      `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; ${new Date().toISOString()}`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
  // The cluster is shared: leave no bench database behind.
  if (!process.argv.includes('--keep')) await sql(admin, `DROP DATABASE IF EXISTS ${db}`);
}
