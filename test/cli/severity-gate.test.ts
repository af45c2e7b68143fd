import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES, type Severity } from '../../src/core/check.js';
import { atLeast, judge } from '../../src/core/gate.js';
import type { CheckResult, Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');
const FACTS = join(ROOT, 'fixtures/policy/example.facts.json');

function strisk(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const dir = mkdtempSync(join(tmpdir(), 'strisk-severity-gate-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const EMPTY = file('empty.yaml', 'failOn: fail\n');
const json = (args: string[]) => {
  const r = strisk(['audit', '--facts', FACTS, '-c', EMPTY, ...args, '--format', 'json']);
  return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as Report) : undefined };
};
const ids = (results: CheckResult[], status: string, level: Severity) =>
  results
    .filter((r) => r.kind !== 'info' && r.status === status && atLeast(r.severity, level))
    .map((r) => r.id);

let current: Report;
beforeAll(() => {
  const r = json([]);
  expect(r.code).toBe(1);
  current = r.report!;
});

describe('severity order', () => {
  it('ranks critical > high > medium > low > info', () => {
    expect(atLeast('critical', 'high')).toBe(true);
    expect(atLeast('high', 'high')).toBe(true);
    expect(atLeast('medium', 'high')).toBe(false);
    expect(atLeast('info', 'low')).toBe(false);
    for (const s of SEVERITIES) expect(atLeast(s, 'info')).toBe(true);
  });
});

describe('--fail-on-severity', () => {
  it('fails on the failures at or above the level only, and names them', () => {
    const high = ids(current.results, 'fail', 'high');
    const below = current.results.filter((r) => r.status === 'fail' && !atLeast(r.severity, 'high'));
    // The example has failures on both sides of the level: the test means something.
    expect(high.length).toBeGreaterThan(0);
    expect(below.length).toBeGreaterThan(0);
    const r = json(['--fail-on-severity', 'high']);
    expect(r.code).toBe(1);
    expect(r.report!.gate.failOnSeverity).toBe('high');
    expect(r.report!.gate.reasons).toEqual([
      `${high.length} failed at or above high severity: ${high.join(', ')}`,
    ]);
    for (const b of below) expect(r.report!.gate.reasons.join()).not.toContain(b.id);
  });

  it('passes when no failure reaches the level, and reports the failures all the same', () => {
    expect(ids(current.results, 'fail', 'critical')).toEqual([]);
    const r = json(['--fail-on-severity', 'critical']);
    expect(r.code).toBe(0);
    expect(r.report!.gate).toMatchObject({ passed: true, failOnSeverity: 'critical', reasons: [] });
    expect(r.report!.counts.fail).toBe(current.counts.fail);
  });

  it('with --fail-on warn, counts warnings at or above the level too', () => {
    const warns = ids(current.results, 'warn', 'medium');
    expect(warns.length).toBeGreaterThan(0);
    const r = json(['--fail-on', 'warn', '--fail-on-severity', 'medium']);
    expect(r.code).toBe(1);
    expect(r.report!.gate.reasons).toContain(
      `${warns.length} warned at or above medium severity: ${warns.join(', ')}`,
    );
    expect(r.report!.gate.reasons.join()).not.toMatch(/app\/http2/); // a low-severity warning
  });

  it('uses the severity the config gives a check', () => {
    const cfg = file('sev.yaml', 'checks:\n  severity:\n    compose/healthcheck: critical\n');
    const r = strisk([
      'audit',
      '--facts',
      FACTS,
      '-c',
      cfg,
      '--fail-on-severity',
      'critical',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Report).gate.reasons).toEqual([
      '1 failed at or above critical severity: compose/healthcheck',
    ]);
  });

  it('takes the level from the config key failOnSeverity, and the flag wins over it', () => {
    const cfg = file(
      'sev-key.yaml',
      'failOnSeverity: critical\nchecks:\n  severity:\n    compose/healthcheck: critical\n',
    );
    const r = strisk(['audit', '--facts', FACTS, '-c', cfg, '--format', 'json']);
    expect(r.code).toBe(1);
    const gate = (JSON.parse(r.stdout) as Report).gate;
    expect(gate.failOnSeverity).toBe('critical');
    expect(gate.reasons).toEqual(['1 failed at or above critical severity: compose/healthcheck']);
    const flag = strisk([
      'audit',
      '--facts',
      FACTS,
      '-c',
      cfg,
      '--fail-on-severity',
      'high',
      '--format',
      'json',
    ]);
    expect((JSON.parse(flag.stdout) as Report).gate.failOnSeverity).toBe('high');
    const bad = strisk(['audit', '--facts', FACTS, '-c', file('sev-bad.yaml', 'failOnSeverity: urgent\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('failOnSeverity');
  });

  it('is combined with --min-score: both must pass', () => {
    const above = Math.ceil((current.score ?? 0) + 1);
    const r = json(['--fail-on-severity', 'critical', '--min-score', String(above)]);
    expect(r.code).toBe(1);
    expect(r.report!.gate.reasons).toEqual([`score ${current.score} is below --min-score ${above}`]);
    expect(json(['--fail-on-severity', 'critical', '--min-score', '1']).code).toBe(0);
  });

  it('with --fail-on regression, a failure at the level fails the gate on top of regressions', () => {
    const base = file('baseline.json', JSON.stringify(current));
    // Nothing got worse than the baseline: the regression gate alone passes.
    expect(json(['--baseline', base, '--fail-on', 'regression']).code).toBe(0);
    const r = json(['--baseline', base, '--fail-on', 'regression', '--fail-on-severity', 'high']);
    expect(r.code).toBe(1);
    const high = ids(current.results, 'fail', 'high');
    expect(r.report!.gate.reasons).toEqual([
      `${high.length} failed at or above high severity: ${high.join(', ')}`,
    ]);
    expect(json(['--baseline', base, '--fail-on', 'regression', '--fail-on-severity', 'critical']).code).toBe(
      0,
    );
  });

  it('rejects an unknown level and --fail-on never, with exit 2', () => {
    const bad = strisk(['audit', '--facts', FACTS, '--fail-on-severity', 'severe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fail-on-severity <level>.*severe.*critical, high, medium, low, info/s);
    const never = strisk(['audit', '--facts', FACTS, '--fail-on', 'never', '--fail-on-severity', 'high']);
    expect(never.code).toBe(2);
    expect(never.stderr).toMatch(/cannot be combined with --fail-on never/);
  });

  it('is listed in --help with the exit codes', () => {
    const r = strisk(['audit', '--help']);
    expect(r.stdout).toMatch(/--fail-on-severity <level>/);
    expect(r.stdout).toMatch(/1 {2}the gate failed \(--fail-on, --fail-on-severity, --min-score/);
  });
});

describe('judge', () => {
  it('leaves a waived failure out of the severity gate, and not one whose waiver expired', () => {
    const result = current.results.find((r) => r.status === 'fail' && r.severity === 'high')!;
    const waiver = (state: 'active' | 'expired') => ({
      ...result,
      waiver: { check: result.id, owner: 'ops', reason: 'r', expires: '2099-01-01', state, daysLeft: 1 },
    });
    const policy = { failOn: 'fail', failOnSeverity: 'high' } as const;
    expect(judge([result], [], 100, policy).passed).toBe(false);
    expect(judge([waiver('active') as CheckResult], [], 100, policy).passed).toBe(true);
    expect(judge([waiver('expired') as CheckResult], [], 100, policy).passed).toBe(false);
  });
});
