// How the CLI starts: the bundle's code cache is taken (a cache V8 refuses is a silent start-up
// regression), the young generation is held only for audits that may build large facts, and V8's
// optimising compiler stays off for a small audit and comes back on for a large one.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readsMuch } from '../../src/cli/audit.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/st-risk-platform');
const config = { config: {} };

/** A JSON audit of the example by the bin/ of `root`, saying on stderr whether V8 took the code cache. */
function auditExample(root: string) {
  const r = spawnSync(process.execPath, [join(root, 'bin/strisk.js'), 'audit', EXAMPLE, '--format', 'json'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', STRISK_DEBUG_STARTUP: '1' },
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(1);
  expect(JSON.parse(r.stdout).results.length).toBeGreaterThan(40);
  return r.stderr;
}

describe('start-up', () => {
  it('runs an audit from the bundle with its code cache taken, and writes the whole report', () => {
    expect(auditExample(ROOT)).toContain('strisk: code cache accepted\n');
  });

  it('runs a bundle built before it was stored wrapped (bin/ newer than the bundle it finds)', () => {
    // A copy of bin/ and bundle/ whose script is as builds before 85e80e0 wrote it: not wrapped.
    const dir = mkdtempSync(join(tmpdir(), 'strisk-startup-'));
    cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'bundle'), join(dir, 'bundle'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const script = join(dir, 'bundle/strisk.cjs');
    const wrapped = readFileSync(script, 'latin1');
    expect(wrapped.startsWith('(function (exports, require, module, __filename, __dirname) { ')).toBe(true);
    writeFileSync(script, wrapped.slice(wrapped.indexOf('{ ') + 2, wrapped.lastIndexOf('\n});')), 'latin1');
    rmSync(`${script}.cache`);
    expect(auditExample(dir)).toBe('strisk: code cache none\n');
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

  it("runs a small audit without V8's optimising compiler, and turns it on when the input adds up", () => {
    // --trace-opt prints a line for every function V8 optimises (on stdout, with the report).
    const optimised = (args: string[]) => {
      const r = spawnSync(process.execPath, ['--trace-opt', join(ROOT, 'bin/strisk.js'), ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(r.status, r.stderr).toBe(1);
      return (r.stdout.match(/completed optimizing/g) ?? []).length;
    };
    expect(optimised(['audit', EXAMPLE])).toBe(0);
    // ~400 KB of manifests: past LONG_RUN_BYTES (256 KiB) of local input, read by the k8s collector.
    const dir = mkdtempSync(join(tmpdir(), 'strisk-startup-'));
    mkdirSync(join(dir, 'k8s'));
    const doc = (i: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-${i}\nspec:\n  replicas: 1\n` +
      `  selector:\n    matchLabels: {app: api-${i}}\n  template:\n    metadata:\n      labels: {app: api-${i}}\n` +
      `    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api:1.${i}\n` +
      `          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n`;
    writeFileSync(join(dir, 'k8s/all.yaml'), Array.from({ length: 1200 }, (_, i) => doc(i)).join('---\n'));
    expect(optimised(['audit', dir])).toBeGreaterThan(0);
  });
});
