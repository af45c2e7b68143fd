import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');
const FACTS = join(ROOT, 'fixtures/policy/example.facts.json');
const LATENCY = join(ROOT, 'fixtures/checks/http/latency/success.facts.json');
const PG = join(ROOT, 'fixtures/checks/postgres/missing-index/success.facts.json');

function strisk(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'strisk-gate-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const EMPTY = file('empty.yaml', 'failOn: fail\n');
const json = (args: string[]) => {
  const r = strisk([...args, '--format', 'json']);
  return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as Report) : undefined };
};

/** The current run's report with some statuses changed: a baseline recorded "before". */
function baselineFrom(current: Report, statuses: Record<string, string>, name: string): string {
  const copy = structuredClone(current);
  for (const r of copy.results)
    if (statuses[r.id]) r.status = statuses[r.id] as Report['results'][0]['status'];
  return file(name, JSON.stringify(copy));
}

let current: Report;
beforeAll(() => {
  const r = json(['audit', '--facts', FACTS, '-c', EMPTY]);
  expect(r.code).toBe(1);
  current = r.report!;
  expect(current.results.find((x) => x.id === 'compose/healthcheck')?.status).toBe('fail');
  expect(current.results.find((x) => x.id === 'compose/memory-limit')?.status).toBe('pass');
});

describe('regression gate with --baseline', () => {
  it('fails on the one regression only, and reports the fix as an improvement', () => {
    // Before: healthcheck passed (now fails: a regression), memory-limit failed (now passes: a fix).
    const base = baselineFrom(
      current,
      { 'compose/healthcheck': 'pass', 'compose/memory-limit': 'fail' },
      'b1.json',
    );
    const r = json(['audit', '--facts', FACTS, '-c', EMPTY, '--baseline', base, '--fail-on', 'regression']);
    expect(r.code).toBe(1);
    const c = r.report!.comparison!;
    // Told per finding: each failing service of the check is a new finding.
    expect([...new Set(c.regressions.map((x) => x.id))]).toEqual(['compose/healthcheck']);
    expect(c.regressions.every((x) => x.finding?.change === 'new')).toBe(true);
    expect([...new Set(c.improvements.map((x) => x.id))]).toEqual(['compose/memory-limit']);
    expect(r.report!.gate.reasons.join('\n')).toMatch(
      /regression\(s\): compose\/healthcheck service \w+: new finding/,
    );
    expect(r.report!.gate.reasons.join('\n')).not.toMatch(/failed:/);
    expect(r.report!.results.find((x) => x.id === 'compose/healthcheck')?.regression).toHaveLength(
      c.regressions.length,
    );
    const term = strisk([
      'audit',
      '--facts',
      FACTS,
      '-c',
      EMPTY,
      '--baseline',
      base,
      '--fail-on',
      'regression',
    ]);
    expect(term.stdout).toMatch(/regression: compose\/healthcheck service \w+: new finding/);
    expect(term.stdout).toMatch(/improved: compose\/memory-limit: fixed \(was fail\)/);
  });

  it('passes a failing stack when nothing got worse (the fix alone)', () => {
    const base = baselineFrom(current, { 'compose/memory-limit': 'fail' }, 'b2.json');
    const r = json(['audit', '--facts', FACTS, '-c', EMPTY, '--baseline', base, '--fail-on', 'regression']);
    expect(r.code).toBe(0);
    expect(r.report!.counts.fail).toBeGreaterThan(0);
    // the default --fail-on fail still fails on the failures
    expect(strisk(['audit', '--facts', FACTS, '-c', EMPTY, '--baseline', base]).code).toBe(1);
  });

  it('compares only the checks that ran, and any status that got worse', () => {
    const base = baselineFrom(current, { 'compose/memory-limit': 'fail' }, 'b3.json');
    const r = json([
      'audit',
      '--facts',
      FACTS,
      '-c',
      EMPTY,
      '--baseline',
      base,
      '--fail-on',
      'regression',
      '--skip',
      'compose/healthcheck',
    ]);
    expect(r.code).toBe(0); // a deselected check is absent, not unknown
    const errored = structuredClone(current);
    errored.results.find((x) => x.id === 'attest/canary')!.status = 'pass';
    const base4 = file('b4.json', JSON.stringify(errored));
    const r2 = json(['audit', '--facts', FACTS, '-c', EMPTY, '--baseline', base4, '--fail-on', 'regression']);
    expect(r2.code).toBe(1); // attest/canary pass → warn
    expect(r2.report!.comparison!.regressions.map((x) => x.text)).toEqual([
      expect.stringMatching(/^attest\/canary attestations of attest\/canary: new finding \(warn/),
    ]);
  });

  it('fails on a measured value beyond its tolerance, and not within it', () => {
    const first = json(['audit', '--facts', LATENCY, '-c', EMPTY, '--only', 'http/latency']).report!;
    const m = first.results[0]!.metrics!;
    expect(m.map((x) => x.name)).toEqual(['p50', 'p95', 'p99']);
    const faster = structuredClone(first);
    for (const x of faster.results[0]!.metrics!) x.value = x.value / 2;
    const base = file('latency-base.json', JSON.stringify(faster));
    const args = [
      'audit',
      '--facts',
      LATENCY,
      '--only',
      'http/latency',
      '--only',
      'report/before-after',
      '--baseline',
      base,
      '--fail-on',
      'regression',
    ];
    const r = json([...args, '-c', EMPTY]);
    expect(r.code).toBe(1);
    const metrics = r.report!.comparison!.regressions.filter((x) => x.kind === 'metric');
    expect(metrics.map((x) => x.metric?.name)).toEqual(['p50', 'p95', 'p99']);
    expect(r.report!.results.find((x) => x.id === 'report/before-after')?.status).toBe('fail');
    const loose = file('loose.yaml', 'baseline:\n  tolerance:\n    default: 0.1\n    http/latency: 1.5\n');
    const ok = json([...args, '-c', loose]);
    expect(ok.code).toBe(0);
    expect(ok.report!.results.find((x) => x.id === 'report/before-after')?.status).toBe('pass');
  });

  it('fails on a database size that grew beyond its tolerance, not on one within it or a shrink', () => {
    const only = ['--only', 'postgres/missing-index', '--only', 'report/before-after'];
    const first = json(['audit', '--facts', PG, '-c', EMPTY, ...only]).report!;
    const size = first.results.find((x) => x.id === 'postgres/missing-index')!.metrics!;
    expect(size.map((x) => [x.name, x.unit, x.better])).toEqual([['database size', 'bytes', 'lower']]);
    const base = file('pg-base.json', JSON.stringify(first));
    /** The recorded facts with the database size multiplied by `k`: the run "after". */
    const grown = (k: number) => {
      const f = JSON.parse(readFileSync(PG, 'utf8'));
      for (const t of f.sources.postgres)
        t.data.database.sizeBytes = Math.round(t.data.database.sizeBytes * k);
      return file(`pg-${k}.facts.json`, JSON.stringify(f));
    };
    const run = (k: number) =>
      json([
        'audit',
        '--facts',
        grown(k),
        '-c',
        EMPTY,
        ...only,
        '--baseline',
        base,
        '--fail-on',
        'regression',
      ]);
    const bigger = run(1.5);
    expect(bigger.code).toBe(1);
    expect(bigger.report!.comparison!.regressions.map((x) => [x.id, x.metric?.name])).toEqual([
      ['postgres/missing-index', 'database size'],
      ['report/before-after', undefined], // skip in the baseline (no baseline then) → fail now
    ]);
    expect(bigger.report!.results.find((x) => x.id === 'report/before-after')?.status).toBe('fail');
    const near = run(1.05);
    expect(near.code).toBe(0);
    expect(near.report!.results.find((x) => x.id === 'report/before-after')?.status).toBe('pass');
    const smaller = run(0.5);
    expect(smaller.code).toBe(0);
    expect(smaller.report!.comparison!.improvements.map((x) => x.metric?.name)).toEqual(['database size']);
  });

  it('strisk compare prints the difference and exits 1 on a regression', () => {
    const old = baselineFrom(
      current,
      { 'compose/healthcheck': 'pass', 'compose/memory-limit': 'fail' },
      'c1.json',
    );
    const now = file('c2.json', JSON.stringify(current));
    const t = strisk(['compare', old, now]);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/regression: compose\/healthcheck service \w+: new finding/);
    const j = strisk(['compare', old, now, '--format', 'json']);
    expect(JSON.parse(j.stdout).improvements[0].id).toBe('compose/memory-limit');
    const md = strisk(['compare', now, now, '--format', 'markdown']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^## strisk compare/);
  });
});

describe('waivers', () => {
  const only = ['--only', 'compose/read-only-rootfs', '--only', 'compose/healthcheck'];
  const waivers = (rootfs: string, health: string, target = 'api') =>
    file(
      `w-${rootfs}-${health}-${target}.yaml`,
      `waivers:\n  - check: compose/read-only-rootfs\n    target: ${target}\n    reason: the app writes to /tmp\n    owner: jane@example.com\n    expires: ${rootfs}\n` +
        `  - check: compose/healthcheck\n    reason: tracked in OPS-1\n    owner: ops\n    expires: ${health}\n`,
    );

  it('shows waived results as waived, passes the gate, and warns of a waiver near expiry', () => {
    const cfg = waivers('2099-12-31', '2026-12-05');
    const r = json(['audit', '--facts', FACTS, '-c', cfg, ...only]);
    expect(r.code).toBe(0);
    const rootfs = r.report!.results.find((x) => x.id === 'compose/read-only-rootfs')!;
    expect(rootfs.status).toBe('fail'); // the status stays
    expect(rootfs.waiver).toMatchObject({ owner: 'jane@example.com', state: 'active' });
    expect(r.report!.results.find((x) => x.id === 'compose/healthcheck')!.waiver?.state).toBe('expiring');
    expect(r.report!.gate.warnings?.join('\n')).toMatch(
      /compose\/healthcheck owned by ops expires 2026-12-05 \(in 7 day/,
    );
    const t = strisk(['audit', '--facts', FACTS, '-c', cfg, ...only]);
    expect(t.stdout).toMatch(/waived by jane@example.com until 2099-12-31 for api: the app writes to \/tmp/);
    expect(t.stdout).toMatch(/▲ waiver compose\/healthcheck owned by ops expires 2026-12-05/);
  });

  it('fails the gate on an expired waiver and says which', () => {
    const r = json(['audit', '--facts', FACTS, '-c', waivers('2026-11-01', '2099-01-01'), ...only]);
    expect(r.code).toBe(1);
    expect(r.report!.gate.reasons).toContain(
      'expired waiver: compose/read-only-rootfs (api) owned by jane@example.com expired 2026-11-01',
    );
    expect(r.report!.gate.reasons.join()).toMatch(/1 failed: compose\/read-only-rootfs/);
  });

  it('does not cover a result whose failing target the waiver does not name', () => {
    const r = json(['audit', '--facts', FACTS, '-c', waivers('2099-12-31', '2099-12-31', 'db'), ...only]);
    expect(r.code).toBe(1);
    expect(r.report!.results.find((x) => x.id === 'compose/read-only-rootfs')!.waiver).toBeUndefined();
  });
});

describe('attestations', () => {
  const att = (check: string, date = '2026-11-20') =>
    `  - check: ${check}\n    by: Jane Doe\n    date: ${date}\n    evidence: https://wiki.example.com/${check}\n`;

  it('passes signed-off items and reports the others as not signed off', () => {
    const cfg = file(
      'att1.yaml',
      `attestations:\n${att('attest/backup')}${att('attest/rollback-plan', '2020-01-01')}`,
    );
    const r = json(['audit', '--facts', FACTS, '-c', cfg, '--only', 'attest/*']);
    expect(r.code).toBe(1);
    const status = Object.fromEntries(r.report!.results.map((x) => [x.id, x.status]));
    expect(status).toEqual({
      'attest/backup': 'pass',
      'attest/rollback-plan': 'fail', // stale
      'attest/load-test': 'fail',
      'attest/canary': 'warn', // advisory
      'attest/post-deploy': 'warn',
    });
    expect(r.report!.attestations).toHaveLength(2);
  });

  it('passes the gate when every required item is signed off; central logging takes an attestation', () => {
    const all = ['attest/backup', 'attest/rollback-plan', 'attest/load-test', 'compose/central-logging'];
    const cfg = file('att2.yaml', `attestations:\n${all.map((c) => att(c)).join('')}`);
    const r = json([
      'audit',
      '--facts',
      FACTS,
      '-c',
      cfg,
      '--only',
      'attest/*',
      '--only',
      'compose/central-logging',
    ]);
    expect(r.code).toBe(0);
    expect(r.report!.results.find((x) => x.id === 'compose/central-logging')?.status).toBe('pass');
  });
});

describe('bad input: exit 2, nothing written', () => {
  const out = () => join(dir, `out-${Math.random().toString(36).slice(2)}.json`);

  it('rejects an unreadable or invalid baseline', () => {
    const o = out();
    const broken = file('broken.json', '{\n  "schemaVersion": 1,\n  oops\n}');
    const r = strisk(['audit', '--facts', FACTS, '-c', EMPTY, '--baseline', broken, '--format', `json=${o}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json:3: baseline is not JSON/);
    expect(existsSync(o)).toBe(false);
    const notReport = file('facts-as-baseline.json', readFileSync(FACTS, 'utf8'));
    expect(strisk(['audit', '--facts', FACTS, '--baseline', notReport]).stderr).toMatch(
      /not a strisk JSON report/,
    );
    expect(strisk(['audit', '--facts', FACTS, '--baseline', join(dir, 'missing.json')]).code).toBe(2);
    expect(strisk(['audit', '--facts', FACTS, '-c', EMPTY, '--fail-on', 'regression']).stderr).toMatch(
      /needs --baseline/,
    );
  });

  it('points at the config line of a waiver missing a field, or naming an unknown check', () => {
    const o = out();
    const cfg = file(
      'w-bad.yaml',
      'failOn: fail\nwaivers:\n  - check: compose/healthcheck\n    reason: r\n    expires: 2099-01-01\n',
    );
    const r = strisk(['audit', '--facts', FACTS, '-c', cfg, '--format', `json=${o}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/w-bad\.yaml:3: waivers, item 1, owner: is missing/);
    expect(existsSync(o)).toBe(false);
    const unknown = file(
      'w-unknown.yaml',
      'waivers:\n  - check: compose/nope\n    reason: r\n    owner: o\n    expires: 2099-01-01\n',
    );
    expect(strisk(['audit', '--facts', FACTS, '-c', unknown]).stderr).toMatch(
      /w-unknown\.yaml:2: waivers: unknown check "compose\/nope"/,
    );
    const date = file(
      'w-date.yaml',
      'waivers:\n  - check: compose/healthcheck\n    reason: r\n    owner: o\n    expires: soon\n',
    );
    expect(strisk(['audit', '--facts', FACTS, '-c', date]).stderr).toMatch(
      /w-date\.yaml:5: waivers, item 1, expires/,
    );
    const url = file(
      'a-url.yaml',
      'attestations:\n  - check: attest/backup\n    by: x\n    date: 2026-01-01\n    evidence: not a link\n',
    );
    expect(strisk(['audit', '--facts', FACTS, '-c', url]).code).toBe(2);
  });

  it('points at the line of broken --facts JSON, and writes nothing', () => {
    const o = out();
    const broken = file('broken.facts.json', '{\n  "schemaVersion": 1,\n  oops\n}');
    const r = strisk(['audit', '--facts', broken, '-c', EMPTY, '--format', `json=${o}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.facts\.json:3: facts are not JSON/);
    expect(existsSync(o)).toBe(false);
  });

  it('rejects a check option that is unknown, out of range or for an unknown check, with its line', () => {
    const cases: [string, string, RegExp][] = [
      [
        'o-key.yaml',
        'checks:\n  options:\n    compose/memory-limit:\n      clickhouseTolerence: 0.5\n',
        /o-key\.yaml:4: checks\.options\.compose\/memory-limit: unknown option "clickhouseTolerence"/,
      ],
      [
        'o-range.yaml',
        'checks:\n  options:\n    compose/memory-limit:\n      clickhouseTolerance: 7\n',
        /o-range\.yaml:4: checks\.options\.compose\/memory-limit\.clickhouseTolerance: /,
      ],
      [
        'o-id.yaml',
        'checks:\n  options:\n    compose/nope:\n      x: 1\n',
        /o-id\.yaml:3: checks\.options: unknown check "compose\/nope"/,
      ],
      [
        's-id.yaml',
        'checks:\n  severity:\n    compose/nope: low\n',
        /s-id\.yaml:3: checks\.severity: unknown check "compose\/nope"/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const o = out();
      const facts = join(dir, `${name}.facts.json`);
      const r = strisk([
        'audit',
        '--facts',
        FACTS,
        '-c',
        file(name, text),
        '--format',
        `json=${o}`,
        '--save-facts',
        facts,
      ]);
      expect(r.stderr, name).toMatch(message);
      expect(r.code, name).toBe(2);
      expect(existsSync(o), name).toBe(false);
      expect(existsSync(facts), name).toBe(false);
    }
  });
});
