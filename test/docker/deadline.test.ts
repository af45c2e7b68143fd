import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectTarget } from '../../src/collectors/live.js';
import { sourceDeadlineMs } from '../../src/collectors/types.js';
import type { Report } from '../../src/core/report.js';
import { spawnAudit } from '../support/spawn-audit.js';

// Issue 16: at the source's deadline every request to the engine is cancelled, and the process
// ends when the report is written. A fake engine on 127.0.0.1 answers the listing and the
// inspects at once and never answers a stats request (as a daemon too busy to sample would not):
// every stats request is still in flight at the deadline.
const CONTAINERS = 40;
const TIMEOUT_MS = 500;
const DEADLINE_MS = sourceDeadlineMs(TIMEOUT_MS);
// A timer's lateness on a loaded 2-core machine, plus collectTarget's 1 s backstop.
const GRACE_MS = 1500;

interface FakeEngine {
  url: string;
  /** Connections open now. */
  open: Set<Socket>;
  /** Requests received, by kind. */
  requests: { stats: number; other: number };
  close(): Promise<void>;
}

const id = (i: number) => i.toString(16).padStart(64, '0');

async function fakeEngine(): Promise<FakeEngine> {
  const open = new Set<Socket>();
  const requests = { stats: 0, other: 0 };
  const json = (res: import('node:http').ServerResponse, body: unknown) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '';
    if (/^\/containers\/[0-9a-f]+\/stats/.test(path)) {
      requests.stats++;
      return; // never answered
    }
    requests.other++;
    if (path.startsWith('/info')) return json(res, { ServerVersion: '20.10.0', NCPU: 2, MemTotal: 2 ** 31 });
    if (path.startsWith('/version')) return json(res, { Version: '20.10.0', ApiVersion: '1.41' });
    if (path.startsWith('/containers/json'))
      return json(
        res,
        Array.from({ length: CONTAINERS }, (_, i) => ({ Id: id(i), State: 'running' })),
      );
    const inspect = /^\/containers\/([0-9a-f]+)\/json/.exec(path);
    if (inspect)
      return json(res, {
        Id: inspect[1],
        Name: `/c${inspect[1]!.slice(-3)}`,
        Config: { Image: 'fake/app:1', Labels: {} },
        HostConfig: { NetworkMode: 'none' },
        State: { Status: 'running' },
      });
    if (path.endsWith('/history')) return json(res, []);
    if (path.startsWith('/images/'))
      return json(res, { Id: 'sha256:1', Size: 1, RootFS: { Layers: [] }, Config: {} });
    res.statusCode = 404;
    json(res, { message: 'not found' });
  });
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `tcp://127.0.0.1:${port}`,
    open,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

let engine: FakeEngine;
beforeAll(async () => {
  engine = await fakeEngine();
});
afterAll(() => engine.close());

describe('docker: nothing outlives the deadline', () => {
  it('cancels every stats request at the deadline: no connection to the engine is left open', async () => {
    const before = { ...engine.requests };
    const started = performance.now();
    const t = await collectTarget('docker', { url: engine.url }, { timeoutMs: TIMEOUT_MS, projectDir: '.' });
    const took = performance.now() - started;
    expect(t.status, t.message).toBe('timeout');
    expect(t.message).toMatch(/no complete answer within 2000 ms/);
    expect(took).toBeLessThan(DEADLINE_MS + GRACE_MS);
    // All the stats requests were in flight together, not a few at a time.
    expect(engine.requests.stats - before.stats).toBe(CONTAINERS);
    // The collector closed its connections itself: this process is still running.
    await settle(200);
    expect(engine.open.size).toBe(0);
    // And sends nothing more.
    const after = { ...engine.requests };
    await settle(500);
    expect(engine.requests).toEqual(after);
  });

  it('the CLI reports the timeout, exit 3, and exits as soon as the report is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-docker-deadline-'));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api:\n    image: example/api:1\n');
    const run = await spawnAudit(
      ['audit', dir, '--docker', engine.url, '--timeout', String(TIMEOUT_MS), '--format', 'json'],
      { killAfterMs: 60_000 },
    );
    const report = JSON.parse(run.stdout) as Report;
    const docker = report.sources.find((s) => s.source === 'docker')!;
    const context = `${JSON.stringify(docker)}; wall ${Math.round(run.wallMs)} ms, after report ${Math.round(run.afterReportMs)} ms`;
    expect(run.stderr, context).toBe('');
    expect(run.code, context).toBe(3);
    expect(docker.status, context).toBe('timeout');
    expect(docker.durationMs, context).toBeLessThan(DEADLINE_MS + GRACE_MS);
    // The other source of the run was still read.
    expect(report.sources.find((s) => s.source === 'compose')?.status, context).toBe('ok');
    // No socket or timer holds the process after the report.
    expect(run.afterReportMs, context).toBeLessThan(1000);
    await settle(200);
    expect(engine.open.size, context).toBe(0);
  }, 60_000);
});
