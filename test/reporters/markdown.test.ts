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
  expect(signoff).not.toContain('k8s/');
  expect(roadmap).toContain('`k8s/hpa-cpu-target`');
  const items = [...signoff.matchAll(/^\| (\d+\.\d+(?:, \d+\.\d+)?) \|/gm)].map((m) => m[1]!);
  expect(items.length).toBe(report.results.length);
});

it('SARIF: every rule has its check page as helpUri', () => {
  const sarif = JSON.parse(sarifReport(report));
  const rules = sarif.runs[0].tool.driver.rules as { id: string; helpUri: string }[];
  expect(rules.length).toBe(report.results.length);
  for (const rule of rules) expect(rule.helpUri).toBe(checkPageUrl(rule.id));
});
