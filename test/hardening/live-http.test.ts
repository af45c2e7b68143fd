// The fault matrix for the sources that speak HTTP (docker, clickhouse, http): the CLI against a
// hostile server on 127.0.0.1, one row per source × fault. Each row asserts exit 3 within the
// deadline plus a grace, the cause named, the compose file beside it still audited, the child's
// peak RSS bounded, and an exit right after the report (no request outlives it: every hostile
// server here keeps its connections open forever).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceDeadlineMs } from '../../src/collectors/types.js';
import type { Report } from '../../src/core/report.js';
import { FAULTS, type Fault, type HostileServer, hostileServer, httpFault } from '../support/hostile.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TIMEOUT_MS = 1000;
const DEADLINE_MS = sourceDeadlineMs(TIMEOUT_MS);
// From the first connection to the exit: the report, the other sources, process teardown on a
// shared 2-core machine running several of these at once.
const GRACE_MS = 3000;
// From the last byte of the report to the exit.
const EXIT_AFTER_REPORT_MS = 1500;
// A plain audit of a compose file peaks near 80 MB here, and 110–150 MB against an endless body
// with the caps (16–64 MiB per answer); before them Docker's grew past 2 GB.
const MAX_PEAK_RSS_MB = 250;

const SOURCES = {
  docker: (port: number) => ['--docker', `tcp://127.0.0.1:${port}`],
  clickhouse: (port: number) => ['--clickhouse', `http://127.0.0.1:${port}`],
  http: (port: number) => ['--http', `http://127.0.0.1:${port}`],
} as const;

const CAUSE: Record<Fault, { status: string; message: RegExp }> = {
  tarpit: { status: 'timeout', message: new RegExp(`no answer from the server for ${TIMEOUT_MS} ms`) },
  garbage: { status: 'error', message: /the answer is not HTTP/ },
  'close-mid-response': { status: 'error', message: /closed the connection mid-answer/ },
  drip: { status: 'timeout', message: new RegExp(`no complete answer within ${DEADLINE_MS} ms`) },
  'endless-body': { status: 'error', message: /exceeds \d+ bytes/ },
  'huge-header': { status: 'error', message: /headers exceed 16 KiB/ },
};

const now = () => performance.timeOrigin + performance.now();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  exitAt: number;
  lastOutputAt: number;
  peakRssMb: number;
}

/** `strisk audit` under /usr/bin/time (peak RSS of the child, from `-f %M`), json on stdout. */
function audit(dir: string, args: string[]): Promise<Run> {
  const rssFile = join(dir, 'rss');
  const child = spawn(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      '-o',
      rssFile,
      process.execPath,
      join(ROOT, 'bin/strisk.js'),
      'audit',
      dir,
      ...args,
      '--timeout',
      String(TIMEOUT_MS),
      '--format',
      'json',
    ],
    { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let lastOutputAt = 0;
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    lastOutputAt = now();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  // A hung child must fail the row, not the whole run.
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) => {
    child.on('exit', (code) => {
      const exitAt = now();
      clearTimeout(kill);
      child.on('close', () => {
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        done({ code, stdout, stderr, exitAt, lastOutputAt, peakRssMb: kb / 1024 });
      });
    });
  });
}

function projectDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-hostile-'));
  writeFileSync(
    join(dir, 'compose.yaml'),
    'services:\n  api:\n    image: example/api:1.0\n    restart: unless-stopped\n',
  );
  return dir;
}

const servers: HostileServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe.concurrent('a hostile server behind an HTTP-speaking source', () => {
  for (const [source, flags] of Object.entries(SOURCES)) {
    for (const fault of FAULTS) {
      it(`${source} × ${fault}: exit 3 in time, cause named, memory bounded, compose still audited`, async () => {
        const server = await hostileServer(httpFault(fault));
        servers.push(server);
        const dir = projectDir();
        const run = await audit(dir, flags(server.port));

        expect(run.stderr, 'nothing on stderr').toBe('');
        expect(run.code).toBe(3);
        expect(server.connections).toBeGreaterThan(0);
        const report = JSON.parse(run.stdout) as Report;
        const summary = report.sources.find((s) => s.source === source)!;
        expect(summary.status, summary.message).toBe(CAUSE[fault].status);
        expect(summary.message).toMatch(CAUSE[fault].message);
        expect(summary.durationMs).toBeLessThanOrEqual(DEADLINE_MS + 1000);

        // The other source of the same run.
        expect(report.sources.find((s) => s.source === 'compose')?.status).toBe('ok');
        expect(report.results.find((r) => r.id === 'compose/restart-policy')?.status).toBe('pass');

        const sinceFirstConnection = run.exitAt - server.firstConnectionAt!;
        expect(sinceFirstConnection).toBeLessThan(DEADLINE_MS + GRACE_MS);
        expect(run.exitAt - run.lastOutputAt).toBeLessThan(EXIT_AFTER_REPORT_MS);
        expect(run.peakRssMb).toBeLessThan(MAX_PEAK_RSS_MB);
      });
    }
  }
});
