import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nearest } from '../../src/core/nearest.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/st-risk-platform');

function strisk(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/strisk.js'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-friendly-'));
  writeFileSync(join(dir, 'strisk.config.yaml'), config);
  return dir;
}

describe('config errors', () => {
  it('lists every problem with file:line and a sentence, list items counted from 1', () => {
    const dir = project(
      [
        'project: x',
        'failOn: sometimes',
        'machine:',
        '  cpus: many',
        'waivers:',
        '  - check: compose/healthcheck',
        '    reason: r',
        '    expires: 2099-01-01',
        '  - check: compose/log-rotation',
        '    owner: ops',
        '    reason: r',
        '    expires: 2099-01-01',
        '    colour: red',
        '',
      ].join('\n'),
    );
    const r = strisk(['audit', dir]);
    expect(r.code).toBe(2);
    const file = join(dir, 'strisk.config.yaml');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `strisk: ${file}:2: failOn: expected one of "fail", "warn", "never", "regression", got the text "sometimes"`,
      `strisk: ${file}:4: machine, cpus: expected a number, got the text "many"`,
      `strisk: ${file}:6: waivers, item 1, owner: is missing: give text`,
      `strisk: ${file}:13: waivers, item 2: unknown key "colour"`,
    ]);
    expect(r.stderr).not.toMatch(/Invalid input|received undefined/);
  });

  it('suggests the nearest check id and option', () => {
    const options = project('checks:\n  options:\n    redis/hit-ratio:\n      failAtOrBelo: 0.5\n');
    expect(strisk(['audit', options]).stderr).toMatch(
      /strisk\.config\.yaml:4: checks\.options\.redis\/hit-ratio: unknown option "failAtOrBelo" \(did you mean failAtOrBelow\?\)/,
    );
    const severity = project('checks:\n  severity:\n    compose/helthcheck: low\n');
    expect(strisk(['audit', severity]).stderr).toMatch(
      /:3: checks\.severity: unknown check "compose\/helthcheck" \(did you mean compose\/healthcheck\?\)/,
    );
    const only = strisk(['audit', EXAMPLE, '--only', 'redis/aff']);
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/matched no check: redis\/aff \(did you mean redis\/aof\?\)/);
    const explain = strisk(['explain', 'aof']);
    expect(explain.code).toBe(2);
    expect(explain.stderr).toMatch(/unknown check "aof"; did you mean redis\/aof\?/);
  });

  it('nearest: within a few edits, or the last part of an id; nothing for a name far from all', () => {
    const ids = ['redis/aof', 'redis/maxmemory', 'compose/healthcheck'];
    expect(nearest('redis/maxmemroy', ids)).toBe('redis/maxmemory');
    expect(nearest('healthcheck', ids)).toBe('compose/healthcheck');
    expect(nearest('kafka/lag', ids)).toBeUndefined();
  });
});

describe('help and listings', () => {
  it('--help: --app takes a dir, no empty (env ), no (default: []), --fail-on says its default', () => {
    const help = strisk(['audit', '--help']).stdout;
    expect(help).toMatch(/--app <dir> /);
    expect(help).not.toMatch(/\(env \)|\(env\s*\)/);
    expect(help).not.toContain('(default: [])');
    expect(help.replace(/\s+/g, ' ')).toMatch(/--fail-on <level> .*default: fail, or failOn in the config/);
    expect(help).toMatch(/--clickhouse <url> .*\n.*\(env\s+CLICKHOUSE_URL\)|CLICKHOUSE_URL/);
  });

  it('strisk checks: one line per check, no rule between rows', () => {
    const lines = strisk(['checks']).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id +seed +kind +severity +implemented +source$/);
    expect(lines[1]).toMatch(/^-+ +-+/);
    const rows = lines.slice(2, lines.indexOf(''));
    expect(rows.length).toBeGreaterThan(70);
    expect(rows.filter((l) => !/^[a-z0-9]+\/[a-z0-9-]+ +(\d|Phase)/.test(l))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^\d+ of \d+ checklist checks implemented\.$/);
  });

  it('strisk explain prints the check page', () => {
    const r = strisk(['explain', 'compose/healthcheck']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# compose\/healthcheck\n/);
    expect(r.stdout).toContain('## How to fix');
  });
});
