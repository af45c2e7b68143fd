// How the CLI starts: the bundle's code cache is taken (a cache V8 refuses is a silent start-up
// regression), and the young generation is held only for audits that may build large facts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readsMuch } from '../../src/cli/audit.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/st-risk-platform');
const config = { config: {} };

describe('start-up', () => {
  it('runs an audit from the bundle with its code cache taken, and writes the whole report', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/strisk.js'), 'audit', EXAMPLE, '--format', 'json'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', STRISK_DEBUG_STARTUP: '1' },
        timeout: 60_000,
      },
    );
    expect(r.stderr).toContain('strisk: code cache accepted\n');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).results.length).toBeGreaterThan(40);
  });

  it('holds the young generation for live sources, recorded facts and large compose files only', () => {
    expect(readsMuch(EXAMPLE, {}, config, {}, {})).toBe(false);
    expect(readsMuch(EXAMPLE, {}, config, { clickhouse: [] }, {})).toBe(true);
    expect(readsMuch(EXAMPLE, {}, config, { docker: [] }, {})).toBe(true);
    // The app's source and the HTTP probe make small facts.
    expect(readsMuch(EXAMPLE, {}, config, { app: [], http: [] }, {})).toBe(false);
    expect(readsMuch(EXAMPLE, { imageArchive: ['x.tar'] }, config, {}, {})).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'strisk-startup-'));
    writeFileSync(join(dir, 'small.json'), '{}');
    expect(readsMuch(dir, { facts: join(dir, 'small.json') }, config, {}, {})).toBe(false);
    const big = `services:\n${'  # padding\n'.repeat(30_000)}  app:\n    image: x\n`;
    writeFileSync(join(dir, 'docker-compose.yml'), big);
    expect(readsMuch(dir, {}, config, {}, {})).toBe(true);
    expect(readsMuch(dir, { facts: join(dir, 'small.json') }, config, {}, {})).toBe(false);
    // Named in the config, COMPOSE_FILE or --compose, wherever it is.
    const other = mkdtempSync(join(tmpdir(), 'strisk-startup-'));
    writeFileSync(join(other, 'stack.yaml'), big);
    expect(readsMuch(EXAMPLE, { compose: [join(other, 'stack.yaml')] }, config, {}, {})).toBe(true);
    expect(
      readsMuch(EXAMPLE, {}, { config: { compose: { files: [join(other, 'stack.yaml')] } } }, {}, {}),
    ).toBe(true);
    expect(readsMuch(EXAMPLE, {}, config, {}, { COMPOSE_FILE: join(other, 'stack.yaml') })).toBe(true);
  });
});
