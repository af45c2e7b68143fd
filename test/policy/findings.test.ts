import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { readBaseline } from '../../src/policy/baseline.js';
import { compareFindings, compareRuns } from '../../src/policy/compare.js';
import { findingKey, findingsOf } from '../../src/policy/findings.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');

describe('fingerprints', () => {
  const hc = (subject: string, line: number, observed: string, status = 'fail') => ({
    id: 'compose/healthcheck',
    status: 'fail',
    evidence: [{ subject, file: 'compose.yaml', line, observed, status }],
  });
  it('keep the subject and drop line numbers and values', () => {
    const a = findingsOf(hc('service api', 11, '30 s'))[0]!;
    const b = findingsOf(hc('service api', 40, '60 s'))[0]!;
    const c = findingsOf(hc('service db', 11, '30 s'))[0]!;
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{20}$/);
  });
  it('are the first 20 hex digits of the SHA-256 of the key, as node:crypto computes it (baselines written before stay valid)', () => {
    const result = hc('service ápi \u2603 \ud834\udd1e', 11, '30 s');
    const key = findingKey(result.id, result.evidence[0]!);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 20);
    expect(findingsOf(result)[0]!.fingerprint).toBe(sha(key));
    // The same subject twice: the second is told apart by its order.
    const twice = { ...result, evidence: [result.evidence[0]!, result.evidence[0]!] };
    expect(findingsOf(twice).map((f) => f.fingerprint)).toEqual([sha(key), sha(`${key}\u0000${2}`)]);
    // No flagged evidence: the result's id.
    expect(findingsOf({ id: 'redis/maxmemory', status: 'warn', evidence: [] })[0]!.fingerprint).toBe(
      sha('redis/maxmemory'),
    );
  });
  it('of a stage keep the file and stage, not the FROM line', () => {
    const at = (line: number) =>
      findingKey('dockerfile/base-image', {
        subject: `Dockerfile:${line} (stage #1)`,
        file: 'Dockerfile',
        line,
      });
    expect(at(12)).toBe(at(30));
    expect(at(12)).toContain('Dockerfile (stage #1)');
  });
  it('of source findings tell calls and routes in one file apart, wherever the lines move', () => {
    const call = (line: number, observed: string, note: string) => ({
      subject: `app/main.py:${line}`,
      file: 'app/main.py',
      line,
      observed,
      note,
      status: 'fail',
    });
    const r = (ev: ReturnType<typeof call>[]) => ({
      id: 'app/blocking-call-in-async',
      status: 'fail',
      evidence: ev,
    });
    const before = findingsOf(
      r([
        call(49, 'requests.get', 'in async GET /x (peers, app/main.py:47)'),
        call(50, 'time.sleep', 'in async GET /x'),
      ]),
    );
    const after = findingsOf(
      r([
        call(61, 'requests.get', 'in async GET /x (peers, app/main.py:59)'),
        call(62, 'time.sleep', 'in async GET /x'),
      ]),
    );
    expect(after.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
    expect(new Set(before.map((f) => f.fingerprint)).size).toBe(2);
  });
  it('keep a live target port (not a file line) and tell duplicates apart by order', () => {
    const k = findingKey('redis/maxmemory', { subject: 'redis://127.0.0.1:6390' });
    expect(k).toContain(':6390');
    // A file:line in a subject without a file field loses its line too.
    expect(findingKey('x/y', { subject: 'compose.yaml:14 (api)' })).toBe(
      findingKey('x/y', { subject: 'compose.yaml:90 (api)' }),
    );
    const dup = findingsOf({
      id: 'x/y',
      status: 'warn',
      evidence: [
        { subject: 's', status: 'warn' },
        { subject: 's', status: 'warn' },
      ],
    });
    expect(dup[0]!.fingerprint).not.toBe(dup[1]!.fingerprint);
  });
  it('give a failing result with no flagged evidence one finding for the whole check', () => {
    const f = findingsOf({
      id: 'attest/backup',
      status: 'fail',
      evidence: [{ subject: 'x', status: 'info' }],
    });
    expect(f).toHaveLength(1);
    expect(f[0]!.evidence).toBeUndefined();
    expect(findingsOf({ id: 'a/b', status: 'pass', evidence: [] })).toEqual([]);
  });
});

describe('per-finding comparison', () => {
  const ev = (subject: string, status: string) => ({ subject, file: 'compose.yaml', line: 3, status });
  const r = (status: 'pass' | 'warn' | 'fail', evidence: ReturnType<typeof ev>[]) => ({
    id: 'compose/healthcheck',
    status,
    evidence,
  });
  it('finds new, fixed, worse, better and unchanged findings of a check whose status did not move', () => {
    const before = r('fail', [
      ev('service a', 'fail'),
      ev('service b', 'warn'),
      ev('service c', 'fail'),
      ev('service d', 'fail'),
    ]);
    const after = r('fail', [
      ev('service a', 'fail'),
      ev('service b', 'fail'),
      ev('service c', 'warn'),
      ev('service e', 'fail'),
    ]);
    const c = compareFindings(before, after)!;
    expect(c.counts).toEqual({ new: 1, fixed: 1, worse: 1, better: 1, unchanged: 1 });
    const run = compareRuns([before], [after]);
    expect(run.regressions.map((x) => x.finding?.change)).toEqual(['worse', 'new']);
    expect(run.improvements.map((x) => x.finding?.change)).toEqual(['better', 'fixed']);
    // The per-check status comparison would have said nothing: fail → fail.
    expect(run.regressions.every((x) => x.kind === 'finding')).toBe(true);
  });
  it('leaves a finding suppressed inline out', () => {
    const after = r('fail', [
      ev('service a', 'fail'),
      { ...ev('service z', 'fail'), suppressed: { reason: 'x' } } as never,
    ]);
    expect(compareFindings(r('fail', [ev('service a', 'fail')]), after)!.counts.new).toBe(0);
  });
  it('falls back to the per-check status against a baseline that kept no evidence', () => {
    const old = { id: 'compose/healthcheck', status: 'warn' as const };
    const run = compareRuns([old], [r('fail', [ev('service a', 'fail')])]);
    expect(run.findings).toBeUndefined();
    expect(run.regressions).toEqual([expect.objectContaining({ kind: 'status', from: 'warn', to: 'fail' })]);
  });
});

describe('a compose change that makes one more service fail (a copy of the example)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-findings-'));
  const project = join(dir, 'st-risk-platform');
  cpSync(join(ROOT, 'examples/st-risk-platform'), project, { recursive: true });
  const compose = join(project, 'compose.yaml');
  const original = readFileSync(compose, 'utf8');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const out = (name: string) => join(dir, name);

  it('is a regression under --fail-on regression, and its fix an improvement, in JSON, Markdown and terminal', () => {
    expect(run('audit', project, '--format', `json=${out('base.json')}`).status).toBe(1);
    // The postgres healthcheck gets its own, slower interval: one more service fails.
    writeFileSync(
      compose,
      original.replace(/(\n {2}postgres:\n(?:.*\n)*? {4}healthcheck:\n)/, '$1      interval: 45s\n'),
    );
    const worse = run(
      'audit',
      project,
      '--baseline',
      out('base.json'),
      '--fail-on',
      'regression',
      '--format',
      `json=${out('worse.json')}`,
      '--format',
      `markdown=${out('worse.md')}`,
      '--format',
      'terminal',
    );
    expect(worse.status, worse.stderr).toBe(1);
    const report: Report = JSON.parse(readFileSync(out('worse.json'), 'utf8'));
    const hc = report.results.find((x) => x.id === 'compose/healthcheck')!;
    expect(hc.status).toBe('fail'); // it failed before too: per check, nothing changed
    const pg = hc.evidence.find((e) => e.subject === 'service postgres')!;
    expect(pg.status).toBe('fail');
    expect(pg.fingerprint).toMatch(/^[0-9a-f]{20}$/);
    expect(report.comparison!.regressions).toEqual([
      expect.objectContaining({
        id: 'compose/healthcheck',
        kind: 'finding',
        finding: { fingerprint: pg.fingerprint, subject: 'service postgres', change: 'new' },
      }),
    ]);
    expect(report.comparison!.findings).toMatchObject({ new: 1, fixed: 0 });
    expect(report.gate.reasons.join('\n')).toContain('compose/healthcheck service postgres: new finding');
    expect(readFileSync(out('worse.md'), 'utf8')).toContain(
      '❌ regression: compose/healthcheck service postgres: new finding (fail, observed 45 s',
    );
    expect(worse.stdout).toContain('regression: compose/healthcheck service postgres: new finding');
    // The old per-check baseline (no fingerprints stored) gives the same answer: computed from its evidence.
    const stripped = JSON.parse(readFileSync(out('base.json'), 'utf8'));
    for (const x of stripped.results) for (const e of x.evidence) delete e.fingerprint;
    writeFileSync(out('old.json'), JSON.stringify(stripped));
    const cmp = run('compare', out('old.json'), out('worse.json'), '--format', 'json');
    expect(cmp.status).toBe(1);
    expect(JSON.parse(cmp.stdout).regressions.map((c: { text: string }) => c.text)).toEqual([
      expect.stringContaining('compose/healthcheck service postgres: new finding'),
    ]);

    // The fix: back to the shared interval.
    writeFileSync(compose, original);
    const fixed = run(
      'audit',
      project,
      '--baseline',
      out('worse.json'),
      '--fail-on',
      'regression',
      '--format',
      `json=${out('fixed.json')}`,
      '--format',
      `markdown=${out('fixed.md')}`,
      '--format',
      'terminal',
    );
    expect(fixed.status, fixed.stderr).toBe(0);
    const after: Report = JSON.parse(readFileSync(out('fixed.json'), 'utf8'));
    expect(after.comparison!.improvements).toEqual([
      expect.objectContaining({
        finding: expect.objectContaining({ subject: 'service postgres', change: 'fixed' }),
      }),
    ]);
    expect(readFileSync(out('fixed.md'), 'utf8')).toContain(
      '✅ improved: compose/healthcheck service postgres: fixed (was fail, observed 45 s',
    );
    expect(fixed.stdout).toContain('improved: compose/healthcheck service postgres: fixed');
    const text = run('compare', out('worse.json'), out('fixed.json'));
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('improved: compose/healthcheck service postgres: fixed');
  });

  it('still loads a baseline that kept a summary per check', () => {
    const summary = JSON.parse(readFileSync(out('base.json'), 'utf8'));
    for (const x of summary.results) delete x.evidence;
    writeFileSync(out('summary.json'), JSON.stringify(summary));
    expect(readBaseline(out('summary.json')).results.length).toBeGreaterThan(0);
  });
});
