import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { checkPageUrl } from '../../src/reporters/check-page.js';
import { markdownReport } from '../../src/reporters/markdown.js';
import { sarifReport } from '../../src/reporters/sarif.js';

const ROOT = resolve(import.meta.dirname, '../..');
let report: Report;
beforeAll(() => {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/strisk.js'), 'audit', join(ROOT, 'examples/st-risk-platform'), '--format', 'json'],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 },
  );
  report = JSON.parse(r.stdout);
});

it('Markdown: every finding links its check page and says what its fix takes', () => {
  const text = markdownReport(report);
  const findings = report.results.filter((r) => ['fail', 'warn', 'error'].includes(r.status));
  for (const r of findings) expect(text).toContain(`| [\`${r.id}\`](${checkPageUrl(r.id)}) |`);
  expect(text).toMatch(/\*\*fix:\*\* Add a healthcheck .* \(applies after a redeploy\)/);
  expect(text).not.toMatch(/\((redeploy|restart|reload|rebuild|none)\)/);
});

it('Markdown sign-off: checklist order, a reason for every item not run, the roadmap apart', () => {
  const text = markdownReport(report);
  const signoff = text.slice(text.indexOf('## Sign-off'), text.indexOf('## Roadmap'));
  const roadmap = text.slice(text.indexOf('## Roadmap'));
  const skip = report.results.find((r) => r.status === 'skip')!;
  expect(signoff).toMatch(
    new RegExp(`⏭️ not run \\| ${skip.message!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`),
  );
  // Every checklist item is implemented now (the Kubernetes ones by the k8s source).
  expect(signoff).toContain('k8s/hpa-cpu-target');
  expect(roadmap).not.toContain('`k8s/');
  const items = [...signoff.matchAll(/^\| (\d+\.\d+(?:, \d+\.\d+)?|Phase \d) \|/gm)].map((m) => m[1]!);
  expect(items.length).toBe(report.results.length);
});

it('SARIF: every rule has its check page as helpUri', () => {
  const sarif = JSON.parse(sarifReport(report));
  const rules = sarif.runs[0].tool.driver.rules as { id: string; helpUri: string }[];
  expect(rules.length).toBe(report.results.length);
  for (const rule of rules) expect(rule.helpUri).toBe(checkPageUrl(rule.id));
});

it('HTML with a baseline: the change per measured value, before and after', async () => {
  const { htmlReport } = await import('../../src/reporters/html.js');
  const withBaseline: Report = structuredClone(report);
  withBaseline.comparison = {
    baseline: { startedAt: '2026-11-01T00:00:00.000Z', toolVersion: '0.1.0', score: 50 },
    regressions: [
      {
        id: 'http/latency',
        kind: 'metric',
        metric: { name: 'p95', subject: 'GET /risk-levels', unit: 'ms', from: 200, to: 260, change: 60 },
        text: 'http/latency p95 200 ms → 260 ms',
      },
    ],
    improvements: [],
  };
  const html = htmlReport(withBaseline);
  const table = html.slice(html.indexOf('<table id="metric-changes">'));
  expect(table).toContain('<td>p95 · GET /risk-levels</td><td>200 ms</td><td>260 ms</td>');
  expect(table).toContain('<span class="fail">+60 ms (+30%)</span>');
});

it('HTML evidence names its file:line once', async () => {
  const { htmlReport } = await import('../../src/reporters/html.js');
  const html = htmlReport(report);
  const located = report.results.flatMap((r) =>
    r.status === 'fail' || r.status === 'warn' ? r.evidence.filter((e) => e.file && e.line) : [],
  );
  expect(located.length).toBeGreaterThan(0);
  for (const item of html.match(/<li[^>]*>.*?<\/li>/g) ?? []) {
    const where = /([\w./-]+:\d+)/.exec(item)?.[1];
    if (where) expect(item.split(where).length - 1, item).toBe(1);
  }
});
