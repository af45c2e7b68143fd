import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { requireService } from '../support/services.js';

const ROOT = resolve(import.meta.dirname, '../..');

function audit(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/strisk.js'), 'audit', ...args, '--format', 'json'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  return { code: r.status, report: JSON.parse(r.stdout) as Report };
}

const statusOf = (report: Report, id: string) => report.results.find((r) => r.id === id)?.status;

describe('strisk audit --docker / --image-archive (the CLI against the test engine)', () => {
  it('gives a real verdict for each docker check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-docker-'));
    const { code, report } = audit([
      dir,
      '--docker',
      requireService('STRISK_TEST_DOCKER'),
      '--only',
      'docker',
    ]);
    expect(code).toBe(1);
    expect(statusOf(report, 'docker/image-size')).toBe('pass');
    expect(statusOf(report, 'docker/container-limits')).toBe('fail');
    expect(statusOf(report, 'docker/cpu-usage')).toBe('fail');
    expect(statusOf(report, 'docker/memory-usage')).toBe('fail');
    const limits = report.results.find((r) => r.id === 'docker/container-limits')!;
    expect(limits.evidence.some((e) => e.subject.includes('strisk-test-api-1') && e.status === 'pass')).toBe(
      true,
    );
  });

  it('audits the images of a docker save archive without an engine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-docker-'));
    const archive = requireService('STRISK_TEST_DOCKER_ARCHIVE');
    const { code, report } = audit([dir, '--image-archive', archive, '--only', 'docker/image-size']);
    expect(code).toBe(0);
    const result = report.results[0]!;
    expect(result.status).toBe('pass');
    expect(result.evidence.some((e) => /strisk-test\/small/.test(e.subject))).toBe(true);
    expect(report.sources.find((s) => s.source === 'docker')?.target).toBe(`archive ${archive}`);
  });

  it('refuses an --image-archive that is missing, a FIFO, a directory or a device: exit 2 before any read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-docker-'));
    const fifo = join(dir, 'images.tar');
    spawnSync('mkfifo', [fifo]);
    mkdirSync(join(dir, 'folder.tar'));
    const cases: [string, RegExp][] = [
      [join(dir, 'absent.tar'), /image archive \(--image-archive\) not found/],
      [fifo, /is a FIFO \(named pipe\), not a regular file/],
      [join(dir, 'folder.tar'), /is a directory, not a regular file/],
      ['/dev/zero', /is a character device, not a regular file/],
    ];
    for (const [archive, message] of cases) {
      const r = spawnSync(
        process.execPath,
        [join(ROOT, 'bin/strisk.js'), 'audit', dir, '--image-archive', archive, '--format', 'json'],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 },
      );
      expect(r.status, archive).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(archive);
    }
  });
});
