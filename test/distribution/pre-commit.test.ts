import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('.pre-commit-hooks.yaml', () => {
  const hook = hooks.find((h) => h.id === 'strisk')!;

  it('declares the strisk hook the way pre-commit reads it', () => {
    expect(hooks.map((h) => h.id)).toEqual(['strisk']);
    expect(hook).toMatchObject({ language: 'node', pass_filenames: false });
    expect(typeof hook.name).toBe('string');
    // language: node installs this package and runs its bin by name.
    const [bin] = String(hook.entry).split(' ');
    expect(Object.keys(pkg.bin)).toContain(bin);
    const files = new RegExp(String(hook.files));
    for (const f of [
      'compose.yaml',
      'deploy/docker-compose.prod.yml',
      'Dockerfile',
      'app/main.py',
      'strisk.config.yaml',
    ])
      expect(files.test(f), f).toBe(true);
    for (const f of ['README.md', 'src/index.ts', 'package.json']) expect(files.test(f), f).toBe(false);
  });

  it('runs its entry from a repository root: file checks only, the gate fails on the example', () => {
    // pre-commit runs the entry (plus args) from the repository's root.
    const repo = mkdtempSync(join(tmpdir(), 'strisk-pre-commit-'));
    cpSync(join(ROOT, 'examples/st-risk-platform'), repo, { recursive: true });
    const [, ...args] = String(hook.entry).split(' ');
    const run = (extra: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/strisk.js'), ...args, ...extra, '--format', 'json'], {
        cwd: repo,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
        timeout: 60_000,
      });
    const r = run([]);
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    const sections = new Set(report.results.map((x: { id: string }) => x.id.split('/')[0]));
    expect([...sections].sort()).toEqual(['app', 'compose', 'dockerfile']);
    expect(report.counts.error).toBe(0);
    expect(report.sources.every((s: { status: string }) => s.status === 'ok')).toBe(true);
    // args from a .pre-commit-config.yaml are appended: a severity gate passes on this example.
    const high = run(['--fail-on-severity', 'critical']);
    expect(high.status, high.stderr).toBe(0);
  });
});
