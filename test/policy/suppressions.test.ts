import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanInlineIgnores } from '../../src/collectors/inline-ignores.js';
import type { Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');

describe('the comment scanner', () => {
  it('reads the check and the reason, on the line or above it (stacked comments too)', () => {
    const text = [
      'services:', // 1
      '  # strisk-ignore compose/healthcheck: probed by the platform', // 2
      '  # another comment', // 3
      '  db:', // 4
      '    restart: always  # strisk-ignore compose/restart-policy: the vendor asks for it', // 5
      '# strisk-ignore compose/cpu-limit', // 6
      '# strisk-ignore', // 7
      '  x: 1  #strisk-ignore=compose/log-rotation:  shipped by journald ', // 8
    ].join('\n');
    expect(scanInlineIgnores('compose.yaml', text)).toEqual([
      {
        file: 'compose.yaml',
        line: 2,
        appliesTo: 4,
        check: 'compose/healthcheck',
        reason: 'probed by the platform',
      },
      {
        file: 'compose.yaml',
        line: 5,
        appliesTo: 5,
        check: 'compose/restart-policy',
        reason: 'the vendor asks for it',
      },
      { file: 'compose.yaml', line: 6, appliesTo: 8, check: 'compose/cpu-limit' },
      { file: 'compose.yaml', line: 7, appliesTo: 8 },
      {
        file: 'compose.yaml',
        line: 8,
        appliesTo: 8,
        check: 'compose/log-rotation',
        reason: 'shipped by journald',
      },
    ]);
  });
  it('finds nothing in a file without the marker', () => {
    expect(scanInlineIgnores('Dockerfile', 'FROM python:3.12-slim\n# a comment\n')).toEqual([]);
  });
});

describe('inline suppressions in compose YAML, a Dockerfile, a Kubernetes manifest and Python source (a copy of the example)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-ignore-'));
  const project = join(dir, 'p');
  const out = (name: string) => join(dir, name);
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const edit = (file: string, f: (lines: string[]) => string[]) => {
    const path = join(project, file);
    writeFileSync(path, f(readFileSync(path, 'utf8').split('\n')).join('\n'));
  };
  const insertAbove = (lines: string[], match: RegExp, ...insert: string[]) => {
    const i = lines.findIndex((l) => match.test(l));
    expect(i, String(match)).toBeGreaterThanOrEqual(0);
    lines.splice(i, 0, ...insert);
    return lines;
  };
  let report: Report;
  let terminal: string;

  beforeAll(() => {
    cpSync(join(ROOT, 'examples/st-risk-platform'), project, { recursive: true });
    edit('compose.yaml', (lines) => {
      // On the line: the clickhouse interval; above the line: the pgbouncer service (no healthcheck).
      const i = lines.indexOf('      interval: 30s');
      lines[i] += '  # strisk-ignore compose/healthcheck: ClickHouse takes a minute to load its parts';
      insertAbove(
        lines,
        /^ {2}pgbouncer:$/,
        '  # strisk-ignore compose/healthcheck: probed by the platform TCP check',
      );
      // No reason: it must not suppress the restart-policy warning.
      return insertAbove(lines, /^ {4}restart: always$/, '    # strisk-ignore compose/restart-policy');
    });
    edit('Dockerfile', (lines) => {
      insertAbove(
        lines,
        /^FROM python:\$\{PYTHON_VERSION\}-slim$/,
        '# strisk-ignore dockerfile/base-image: Renovate pins the digest at release',
      );
      return insertAbove(lines, /^WORKDIR \/srv$/, '# strisk-ignore dockerfile/no-such-check: a typo');
    });
    edit('app/main.py', (lines) => {
      // Stacked above an existing comment.
      insertAbove(
        lines,
        /# Legacy enrichment service/,
        '    # strisk-ignore app/request-timeouts: the enrichment client sets a socket timeout',
      );
      // Unused: no rate-limit finding on the time.sleep line.
      return insertAbove(lines, /^ {4}time\.sleep\(0\.05\)$/, '    # strisk-ignore app/rate-limit: not here');
    });
    edit('k8s/worker.yaml', (lines) => {
      const i = lines.indexOf('      terminationGracePeriodSeconds: 10');
      expect(i).toBeGreaterThanOrEqual(0);
      lines[i] += '  # strisk-ignore k8s/graceful-shutdown: the queue redelivers unfinished tasks';
      return lines;
    });
    const r = run(
      'audit',
      project,
      '--format',
      `json=${out('r.json')}`,
      '--format',
      `sarif=${out('r.sarif')}`,
      '--format',
      `markdown=${out('r.md')}`,
      '--format',
      `junit=${out('r.xml')}`,
      '--format',
      `github=${out('r.github')}`,
      '--format',
      `html=${out('r.html')}`,
      '--save-facts',
      out('facts.json'),
      '--repo-root',
      dir,
      '--format',
      'terminal',
    );
    expect(r.status, r.stderr).toBe(1);
    terminal = r.stdout;
    report = JSON.parse(readFileSync(out('r.json'), 'utf8'));
  });

  const result = (id: string) => report.results.find((r) => r.id === id)!;

  it('suppresses the findings named, with the reason, keeping the status, and the gate leaves them out', () => {
    const hc = result('compose/healthcheck');
    expect(hc.status).toBe('fail');
    expect(hc.suppressed?.map((s) => s.reason)).toEqual([
      'ClickHouse takes a minute to load its parts',
      'probed by the platform TCP check',
    ]);
    const flagged = hc.evidence.filter((e) => e.status === 'fail');
    expect(flagged.every((e) => e.suppressed?.file === 'compose.yaml')).toBe(true);
    expect(result('dockerfile/base-image').suppressed?.[0]).toMatchObject({
      file: 'Dockerfile',
      reason: 'Renovate pins the digest at release',
    });
    const timeouts = result('app/request-timeouts');
    expect(timeouts.suppressed?.[0]).toMatchObject({ file: 'app/main.py', check: 'app/request-timeouts' });
    // The blocking calls on the same line are another check: not suppressed.
    expect(result('app/blocking-call-in-async').suppressed).toBeUndefined();
    const failed = report.gate.reasons.find((x) => x.includes(' failed: '))!;
    expect(failed).not.toContain('compose/healthcheck');
    expect(failed).not.toContain('app/request-timeouts');
    expect(failed).toContain('app/blocking-call-in-async');
    // The pgbouncer log-rotation finding sits on the line below the healthcheck comment: another check.
    expect(result('compose/log-rotation').suppressed).toBeUndefined();
  });

  it('suppresses a finding in a Kubernetes manifest like one in a compose file', () => {
    const gs = result('k8s/graceful-shutdown');
    const worker = gs.evidence.find((e) => e.file === 'k8s/worker.yaml' && e.status === 'fail')!;
    expect(worker.suppressed).toMatchObject({
      file: 'k8s/worker.yaml',
      check: 'k8s/graceful-shutdown',
      reason: 'the queue redelivers unfinished tasks',
    });
    expect(report.suppressions?.find((x) => x.file === 'k8s/worker.yaml')?.state).toBe('used');
  });

  it('reports the reason-less, unknown-id and unused comments as warnings, and they suppress nothing', () => {
    const states = Object.fromEntries(
      (report.suppressions ?? []).map((s) => [`${s.file}:${s.line}`, s.state]),
    );
    expect(Object.values(states).sort()).toEqual(
      ['no-reason', 'unknown-check', 'unused', 'used', 'used', 'used', 'used', 'used'].sort(),
    );
    expect(result('compose/restart-policy').suppressed).toBeUndefined();
    expect(result('compose/restart-policy').evidence.some((e) => e.suppressed)).toBe(false);
    const warnings = report.gate.warnings ?? [];
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^inline ignore compose\.yaml:\d+ \(compose\/restart-policy\) has no reason/),
        expect.stringMatching(
          /^inline ignore Dockerfile:\d+ names an unknown check "dockerfile\/no-such-check"/,
        ),
        expect.stringMatching(/^inline ignore app\/main\.py:\d+ \(app\/rate-limit\) matches no finding/),
      ]),
    );
  });

  it('shows the suppression with its reason in every format', () => {
    const sarif = JSON.parse(readFileSync(out('r.sarif'), 'utf8'));
    const hc = sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === 'compose/healthcheck');
    expect(hc.map((x: { suppressions: { kind: string }[] }) => x.suppressions[0]!.kind)).toEqual([
      'inSource',
      'inSource',
    ]);
    expect(hc[0].suppressions[0].justification).toContain('ClickHouse takes a minute to load its parts');
    expect(readFileSync(out('r.md'), 'utf8')).toContain('probed by the platform TCP check');
    expect(readFileSync(out('r.html'), 'utf8')).toContain('probed by the platform TCP check');
    expect(readFileSync(out('r.xml'), 'utf8')).toMatch(
      /<skipped message="suppressed at compose\.yaml:\d+: ClickHouse/,
    );
    expect(readFileSync(out('r.github'), 'utf8')).toMatch(
      /::notice file=p\/compose\.yaml,line=\d+,title=strisk compose\/healthcheck%3A [^:]*\(suppressed\)::/,
    );
    expect(terminal).toContain('suppressed at app/main.py:');
    expect(terminal).toContain('the enrichment client sets a socket timeout');
    expect(terminal).toContain('inline ignore Dockerfile:');
  });

  it('replays from recorded facts (the comments are facts), and --no-inline-ignores applies none', () => {
    const replay = run(
      'audit',
      '--facts',
      out('facts.json'),
      '-c',
      join(project, 'strisk.config.yaml'),
      '--format',
      'json',
    );
    const again: Report = JSON.parse(replay.stdout);
    expect(again.suppressions?.map((s) => s.state)).toEqual(report.suppressions?.map((s) => s.state));
    const strict = run('audit', project, '--no-inline-ignores', '--format', 'json');
    expect(strict.status).toBe(1);
    const plain: Report = JSON.parse(strict.stdout);
    expect(plain.suppressions).toBeUndefined();
    expect(plain.results.some((r) => r.suppressed || r.evidence.some((e) => e.suppressed))).toBe(false);
    expect(plain.gate.reasons.find((x) => x.includes(' failed: '))).toContain('compose/healthcheck');
  });
});
