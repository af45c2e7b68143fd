import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import queryTime from '../../src/checks/postgres/query-time.js';
import sharedBuffers from '../../src/checks/postgres/shared-buffers.js';
import { collect } from '../../src/collectors/postgres/index.js';
import { isReadOnlyStatement } from '../../src/collectors/postgres/readonly.js';
import { PROBE, SETTINGS, statementsSql, TABLES } from '../../src/collectors/postgres/sql.js';
import { convertSetting, parseMemory } from '../../src/collectors/postgres/units.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import { liveFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

const ctx = { timeoutMs: 3000, projectDir: '.' };

describe('postgres collector on the real clusters', () => {
  it('reads the good cluster as a pg_monitor role', async () => {
    const t = await collect({ url: requireService('STRISK_TEST_PG_GOOD'), memory: '1GB' }, ctx);
    expect(t.status, t.message).toBe('ok');
    expect(t.target).toBe('postgres://auditor:***@127.0.0.1:15432/app');
    const d = t.data!;
    expect(d.server).toMatchObject({ user: 'auditor', superuser: false, pgMonitor: true, database: 'app' });
    expect(d.server.versionNum).toBeGreaterThanOrEqual(130000);
    expect(d.settings.shared_buffers).toMatchObject({ setting: '32768', unit: '8kB', value: 256 * 2 ** 20 });
    expect(d.settings.shared_buffers?.sourcefile).toMatch(/good\/postgresql\.conf$/);
    expect(d.settings.wal_buffers?.value).toBe(16 * 2 ** 20);
    expect(d.settings.autovacuum?.value).toBe(true);
    expect(d.memory).toEqual({ bytes: 2 ** 30, from: 'config: memory 1GB on the target' });
    expect(d.archiver?.archivedCount).toBeGreaterThan(0);
    expect(d.statements?.meanMs).toBeGreaterThan(0);
    expect(d.statements?.slowest.every((s) => !s.query.includes('/* strisk */'))).toBe(true);
    expect(d.tables.find((x) => x.name === 'accounts')?.idxScan).toBeGreaterThanOrEqual(200);
    expect(d.forbidden).toEqual([]);
    expect(d.queries).toBe(7);
  });

  it('reads the bad cluster: defaults, failing archiver, dead tuples, no pg_stat_statements', async () => {
    const t = await collect({ url: requireService('STRISK_TEST_PG_BAD') }, ctx);
    expect(t.status, t.message).toBe('ok');
    const d = t.data!;
    expect(d.settings.shared_buffers?.value).toBe(128 * 2 ** 20);
    expect(d.settings.wal_buffers).toMatchObject({ value: 4 * 2 ** 20, source: 'default' });
    expect(d.settings.autovacuum?.value).toBe(false);
    expect(d.archiver?.failedCount).toBeGreaterThan(0);
    const events = d.tables.find((x) => x.name === 'events')!;
    expect(events.idxScan).toBeNull();
    expect(events.seqScan).toBeGreaterThanOrEqual(20);
    expect(events.deadTuples).toBeGreaterThan(0);
    expect(events.totalBytes).toBeGreaterThan(1_000_000);
    expect(d.statements).toBeNull();
    expect(d.statementsNote).toMatch(/not installed/);
    expect(d.queries).toBe(6);
  });

  it('a role without pg_monitor gets errors with the grant, not verdicts', async () => {
    const t = await collect({ url: requireService('STRISK_TEST_PG_NOPRIVS'), memory: '1GB' }, ctx);
    expect(t.status, t.message).toBe('ok');
    const parts = t.data!.forbidden.map((f) => f.part);
    expect(parts).toContain('statements');
    expect(t.data!.forbidden.find((f) => f.part === 'statements')?.grant).toMatch(
      /^GRANT pg_read_all_stats TO "noprivs"/,
    );
    const r = runCheck(queryTime as unknown as CheckDefinition, liveFacts({ postgres: [t] }));
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/GRANT pg_read_all_stats TO "noprivs"/);
    // What it can read is still judged.
    expect(runCheck(sharedBuffers as unknown as CheckDefinition, liveFacts({ postgres: [t] })).status).toBe(
      'pass',
    );
  });
});

describe('postgres collector failures are target statuses', () => {
  let silent: Server;
  let silentPort = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it('closed port → unreachable', async () => {
    const t = await collect({ url: 'postgres://auditor:pw@127.0.0.1:15439/app' }, ctx);
    expect(t.status).toBe('unreachable');
    expect(t.message).toMatch(/ECONNREFUSED/);
  });
  it('wrong password → auth-failed, and the password is not in the message', async () => {
    const t = await collect({ url: 'postgres://auditor:wrong-secret@127.0.0.1:15432/app' }, ctx);
    expect(t.status).toBe('auth-failed');
    expect(t.message).not.toContain('wrong-secret');
    expect(t.target).not.toContain('wrong-secret');
  });
  it('unknown database → error naming it', async () => {
    const t = await collect({ url: 'postgres://auditor:pw@127.0.0.1:15432/nope' }, ctx);
    expect(t.status).toBe('error');
    expect(t.message).toMatch(/database "nope" does not exist/);
  });
  it('a port that never answers → timeout within the deadline', async () => {
    const started = Date.now();
    const t = await collect(
      { url: `postgres://auditor:pw@127.0.0.1:${silentPort}/app` },
      { timeoutMs: 800, projectDir: '.' },
    );
    expect(t.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500);
  });
  it('libpq PG* variables when the target has no URL', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      PGHOST: '127.0.0.1',
      PGPORT: '15433',
      PGUSER: 'auditor',
      PGPASSWORD: 'pw',
      PGDATABASE: 'app',
    });
    try {
      const t = await collect({ url: '' }, ctx);
      expect(t.status, t.message).toBe('ok');
      expect(t.target).toBe('postgres://auditor@127.0.0.1:15433/app');
    } finally {
      process.env = saved;
    }
  });
  it('sslmode=require against a server without TLS is an error, not a plain-text fallback', async () => {
    const t = await collect({ url: 'postgres://auditor:pw@127.0.0.1:15432/app?sslmode=require' }, ctx);
    expect(t.status).not.toBe('ok');
    expect(t.message).toMatch(/SSL/i);
  });
});

describe('read-only by construction', () => {
  it('allows the audit statements', () => {
    for (const sql of [PROBE, SETTINGS, TABLES, statementsSql('public', '1.10', 10)]) {
      expect(isReadOnlyStatement(sql), sql.slice(0, 40)).toBe(true);
    }
    for (const sql of [
      'BEGIN READ ONLY',
      'SET LOCAL statement_timeout = 3000',
      'COMMIT',
      'SHOW POOLS',
      'SHOW CONFIG',
    ]) {
      expect(isReadOnlyStatement(sql), sql).toBe(true);
    }
  });
  it('refuses writes and acting functions', () => {
    for (const sql of [
      'BEGIN',
      'DELETE FROM t',
      'SELECT 1; DROP TABLE t',
      'WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x',
      'SELECT pg_terminate_backend(1)',
      'SELECT pg_switch_wal()',
      "SELECT set_config('a', 'b', false)",
      'SET statement_timeout = 0',
      'RELOAD',
      'PAUSE',
      'VACUUM t',
    ]) {
      expect(isReadOnlyStatement(sql), sql).toBe(false);
    }
  });
  it('converts settings with their units', () => {
    expect(convertSetting('16384', '8kB', 'integer')).toBe(128 * 2 ** 20);
    expect(convertSetting('1024', 'MB', 'integer')).toBe(2 ** 30);
    expect(convertSetting('60', 's', 'integer')).toBe(60);
    expect(convertSetting('200', 'ms', 'integer')).toBe(0.2);
    expect(convertSetting('5', 'min', 'integer')).toBe(300);
    expect(convertSetting('-1', '8kB', 'integer')).toBe(-1);
    expect(convertSetting('on', null, 'bool')).toBe(true);
    expect(parseMemory('64GB')).toBe(64 * 2 ** 30);
    expect(parseMemory(1024)).toBe(1024);
    expect(parseMemory('lots')).toBeNull();
  });
});
