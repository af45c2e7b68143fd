import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireService } from '../support/services.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the container image', () => {
  // Builds the root Dockerfile on the test Docker engine (a local Node base, the npm cache as the
  // registry) and runs it --network none against the example mounted read-only. The first build
  // installs every dependency in the image; later ones reuse the engine's layers.
  it('builds from the checkout, runs as non-root without dev dependencies, and audits the example', () => {
    const docker = requireService('STRISK_TEST_DOCKER');
    const r = spawnSync('bash', [join(ROOT, 'scripts/build-image.sh')], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: docker, STRISK_IMAGE: 'strisk-test/strisk:test' },
      timeout: 900_000,
    });
    const log = `${r.stdout}\n${r.stderr}`;
    expect(log).toMatch(/audit of the example in the image: exit 1, \d+ results/);
    expect(log).toContain('build-image: ok');
    expect(r.status, log).toBe(0);
  }, 960_000);
});

describe("the repository's own Dockerfile", () => {
  it("passes strisk's Dockerfile checks", () => {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/strisk.js'),
        'audit',
        ROOT,
        '--only',
        'dockerfile/*',
        '--dockerfile',
        'Dockerfile',
        '--format',
        'json',
      ],
      { encoding: 'utf8', cwd: ROOT, timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const statuses = Object.fromEntries(
      report.results.map((x: { id: string; status: string }) => [x.id, x.status]),
    );
    expect(statuses).toMatchObject({
      'dockerfile/base-image': 'pass',
      'dockerfile/multi-stage': 'pass',
      'dockerfile/build-deps': 'pass',
    });
  });
});
