// `strisk audit DIR --explain-roles` (and `-v`): each compose service's role and why, with file:line.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');
const TWENTY = join(ROOT, 'fixtures/compose/roles/twenty');

function strisk(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The roles block: the lines from its heading to the first blank line. */
const rolesBlock = (text: string) => {
  const start = text.indexOf('Service roles');
  if (start < 0) return '';
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end < 0 ? undefined : end);
};

describe('strisk audit --explain-roles', () => {
  it('prints every service with its role, the signal and where it is written', () => {
    const r = strisk(['audit', TWENTY, '--only', 'compose', '--explain-roles']);
    expect(r.stderr).toBe('');
    const block = rolesBlock(r.stdout);
    expect(block).toMatch(/^Service roles in docker-compose\.yml .*roles: \{SERVICE: ROLE\}/);
    expect(block).toMatch(/^ {2}server +app +depends_on db +docker-compose\.yml:38$/m);
    expect(block).toMatch(/^ {2}worker +app +command yarn worker +docker-compose\.yml:51$/m);
    expect(block).toMatch(/^ {2}db +postgres +image postgres:16 +docker-compose\.yml:73$/m);
    expect(block).toMatch(
      /^ {2}change-vol-ownership +job +one-shot: server waits for it with service_completed_successfully +docker-compose\.yml:4$/m,
    );
    // The report follows it, as usual.
    expect(r.stdout).toMatch(/compose\/read-only-rootfs/);
  });

  it('is part of -v, and goes to stderr when stdout carries JSON', () => {
    const verbose = strisk(['audit', TWENTY, '--only', 'compose', '-v']);
    expect(rolesBlock(verbose.stdout)).toMatch(/redis +redis +image redis/);
    const plain = strisk(['audit', TWENTY, '--only', 'compose']);
    expect(plain.stdout).not.toMatch(/Service roles/);

    const json = strisk(['audit', TWENTY, '--only', 'compose', '--format', 'json', '--explain-roles']);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.results.find((x) => x.id === 'compose/startup-order')?.status).toBe('pass');
    expect(json.stderr).toMatch(/^ {2}server +app +depends_on db/m);
  });
});
