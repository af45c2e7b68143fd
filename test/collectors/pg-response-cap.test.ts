import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capClient, capError, closeClient } from '../../src/collectors/postgres/connect.js';
import { ReadOnlySession } from '../../src/collectors/postgres/readonly.js';
import { type FakeServer, fakePgServer, pgAnswer } from '../support/fake-tcp.js';

// The PostgreSQL response cap counts each answer (ReadyForQuery to ReadyForQuery), in rows and in
// bytes, on a plain connection and through TLS (sslmode=require), without disturbing either.
const servers: FakeServer[] = [];
let tls: { key: Buffer; cert: Buffer };

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-pg-tls-'));
  const r = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  expect(r.status, String(r.stderr)).toBe(0);
  tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Answers `SELECT n, width` with n rows of `width` bytes. */
async function rowsServer(withTls: boolean): Promise<FakeServer> {
  const server = await fakePgServer(
    {
      query(socket, sql, ext) {
        const [, n = '0', width = '1'] = /SELECT (\d+), (\d+)/.exec(sql) ?? [];
        const rows = Array.from({ length: Number(n) }, () => ['x'.repeat(Number(width))]);
        socket.write(pgAnswer(ext, ['a'], rows));
      },
    },
    withTls ? tls : undefined,
  );
  servers.push(server);
  return server;
}

for (const withTls of [false, true]) {
  describe(withTls ? 'through TLS' : 'in plain text', () => {
    async function client(maxBytes: number, maxRows: number) {
      const server = await rowsServer(withTls);
      const c = new pg.Client({
        connectionString: server.url('postgres', '/app').replace('//', '//u:p@'),
        ssl: withTls ? { rejectUnauthorized: false } : false,
      });
      capClient(c, maxBytes, maxRows);
      c.on('error', () => {});
      await c.connect();
      return { c, db: new ReadOnlySession(c) };
    }

    it('lets answers under the caps through, each answer counted on its own', async () => {
      const { c, db } = await client(64 * 1024, 100);
      for (let i = 0; i < 3; i++) expect(await db.query('SELECT 60, 500')).toHaveLength(60);
      expect(capError(c)).toBeUndefined();
      await closeClient(c);
    });

    it('closes the connection at the row cap and names it', async () => {
      const { c, db } = await client(64 * 1024, 100);
      await expect(db.query('SELECT 150, 1')).rejects.toThrow('response larger than 100 rows');
      expect(capError(c)?.message).toMatch(/^response larger than 100 rows/);
      await closeClient(c);
    });

    it('closes the connection at the byte cap and names it', async () => {
      const { c, db } = await client(64 * 1024, 100);
      await expect(db.query('SELECT 20, 10000')).rejects.toThrow('response larger than 0.0625 MiB');
      await closeClient(c);
    });
  });
}
