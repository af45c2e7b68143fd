// The command-line hint bin/strisk.js starts the app's parse worker on (src/cli/app-hint.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mayReadApp } from '../../src/cli/app-hint.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('mayReadApp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-app-hint-'));
  const project = (name: string, config?: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    if (config !== undefined) writeFileSync(join(d, 'strisk.config.yaml'), config);
    return d;
  };

  it('says yes for --app and for a config with an app target', () => {
    expect(mayReadApp(['.', '--app', 'src'])).toBe(true);
    expect(mayReadApp(['--app=src', '.'])).toBe(true);
    expect(mayReadApp([join(ROOT, 'examples/st-risk-platform'), '--format', 'json'])).toBe(true);
    expect(mayReadApp(['--format', 'json', project('block', 'targets:\n  app: backend/app\n')])).toBe(true);
    expect(mayReadApp([project('flow', 'targets: { clickhouse: "http://h:8123", app: src }\n')])).toBe(true);
    const other = project('named', undefined);
    writeFileSync(join(other, 'custom.yaml'), 'targets:\n  app: src\n');
    expect(mayReadApp([other, '-c', join(other, 'custom.yaml')])).toBe(true);
    expect(mayReadApp([other, `--config=${join(other, 'custom.yaml')}`])).toBe(true);
  });

  it('says no without either: no config, a config without an app, an app commented out', () => {
    expect(mayReadApp([project('none')])).toBe(false);
    expect(mayReadApp([project('live', 'targets:\n  clickhouse: http://h:8123\n')])).toBe(false);
    expect(mayReadApp([project('commented', 'targets:\n  # app: src\n  redis: redis://h\n')])).toBe(false);
    expect(mayReadApp([project('value', 'project: app\nchecks:\n  skip: [app/*]\n')])).toBe(false);
    expect(mayReadApp([join(dir, 'missing'), '-c', join(dir, 'missing.yaml')])).toBe(false);
    // A config that is a FIFO is not read (nor waited on): the audit refuses it itself.
    const fifo = project('fifo');
    execFileSync('mkfifo', [join(fifo, 'strisk.config.yaml')]);
    expect(mayReadApp([fifo])).toBe(false);
  });
});
