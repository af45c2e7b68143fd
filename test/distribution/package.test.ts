import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the npm package', () => {
  // Packs (a clean build in a staged copy), installs the tarball with --omit=dev into an empty
  // directory and runs the installed bin on the example. Bounded: one build and one install.
  it('ships only what runs, installs without dev dependencies and audits the example', () => {
    const work = mkdtempSync(join(tmpdir(), 'strisk-package-'));
    const r = spawnSync('bash', [join(ROOT, 'scripts/check-package.sh'), work], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(r.stderr + r.stdout).toContain('check-package: ok');
    expect(r.status).toBe(0);
    const files = readFileSync(join(work, 'out/files.txt'), 'utf8').trim().split('\n');
    expect(files).toContain('package/LICENSE');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const report = JSON.parse(readFileSync(join(work, 'out/report.json'), 'utf8'));
    expect(report.gate.exitCode).toBe(1);
    expect(report.tool.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  }, 660_000);
});
