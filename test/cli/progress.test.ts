import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { terminalProgress } from '../../src/cli/progress.js';

const ROOT = resolve(import.meta.dirname, '../..');

it('shows the sources being read, each done or failed with its time, and clears its line at the end', () => {
  let clock = 0;
  let out = '';
  const p = terminalProgress({ write: (t) => (out += t), now: () => clock, tickMs: 60_000, columns: 200 });
  p.begin('redis', 'redis://127.0.0.1:6379');
  p.begin('postgres', 'postgres://auditor:***@db/app');
  expect(out.split('\r\u001b[2K').at(-1)).toBe(
    'strisk: reading redis redis://127.0.0.1:6379, postgres postgres://auditor:***@db/app · 0 done · 0 ms',
  );
  clock = 1200;
  p.end('redis', 'redis://127.0.0.1:6379', 'ok');
  clock = 2500;
  p.end('postgres', 'postgres://auditor:***@db/app', 'auth-failed', 'password authentication failed');
  p.finish();
  const lines = out.split('\n');
  expect(lines[0]!.split('\r\u001b[2K').at(-1)).toBe('✔ redis redis://127.0.0.1:6379 read in 1.2 s');
  expect(lines[1]!.split('\r\u001b[2K').at(-1)).toBe(
    '✖ postgres postgres://auditor:***@db/app failed in 2.5 s: auth-failed (password authentication failed)',
  );
  // The status line in between said how many were done, and the last thing written clears it.
  expect(out).toContain('strisk: reading postgres postgres://auditor:***@db/app · 1 done · 1.2 s');
  expect(out.endsWith('\r\u001b[2K')).toBe(true);
});

it('prints nothing on stderr when stderr is not a terminal', () => {
  // A closed port: the source fails at once, without a shared service.
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin/strisk.js'),
      'audit',
      join(ROOT, 'examples/st-risk-platform'),
      '--redis',
      'redis://127.0.0.1:1',
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 },
  );
  expect(r.status).toBe(3);
  expect(r.stdout).toMatch(/! redis redis:\/\/127\.0\.0\.1:1 could not be read/);
  expect(r.stderr).toBe('');
});
