import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadOnlyRedis } from '../../src/collectors/redis/client.js';
import { SocketBounds } from '../../src/collectors/socket-bounds.js';

// The Redis cap and header guard sit on the connection strisk opens itself (ioredis's Connector
// option): in plain text and through TLS (rediss://), replies under the caps pass, each round trip
// counted on its own, and a reply past a cap closes the connection with the cause named.
let tls: { key: Buffer; cert: Buffer };
const servers: Server[] = [];

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-redis-tls-'));
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
afterAll(() => {
  for (const s of servers) s.close();
});

/** Answers PING, `INFO <n>` with n bytes, and `INFO huge` with a 2 GiB bulk header. */
function serve(socket: Socket): void {
  socket.on('error', () => {});
  socket.on('data', (d) => {
    const text = d.toString('latin1');
    if (/ping/i.test(text)) socket.write('+PONG\r\n');
    else if (/huge/.test(text)) socket.write('$2147483647\r\nxxxx');
    else {
      const n = Number(/\$\d+\r\n(\d+)\r\n$/.exec(text)?.[1] ?? 0);
      socket.write(`$${n}\r\n${'x'.repeat(n)}\r\n`);
    }
  });
}

async function start(withTls: boolean): Promise<number> {
  const server = withTls ? createTlsServer(tls, serve) : createNetServer(serve);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

for (const withTls of [false, true]) {
  describe(withTls ? 'through TLS' : 'in plain text', () => {
    async function client(): Promise<ReadOnlyRedis> {
      const port = await start(withTls);
      const c = new ReadOnlyRedis(
        { host: '127.0.0.1', port, db: 0, ...(withTls ? { tls: { rejectUnauthorized: false } } : {}) },
        new SocketBounds(5000, new AbortController().signal),
        64 * 1024,
      );
      await c.connect();
      return c;
    }

    it('replies under the cap pass, each round trip counted on its own', async () => {
      const c = await client();
      for (let i = 0; i < 3; i++) expect(String(await c.call(['info', 40_000]))).toHaveLength(40_000);
      c.close();
    });

    it('a reply past the byte cap closes the connection and says so', async () => {
      const c = await client();
      await expect(c.call(['info', 100_000])).rejects.toThrow('response larger than 0.0625 MiB');
      c.close();
    });

    it('a bulk header beyond the cap is refused before its body arrives', async () => {
      const c = await client();
      await expect(c.call(['info', 'huge'])).rejects.toThrow('response larger than 0.0625 MiB');
      c.close();
    });
  });
}
