import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROADMAP, SECTIONS } from '../../src/core/catalogue.js';
import type { Report } from '../../src/core/report.js';
import { formatQuantity } from '../../src/core/units.js';
import { checkPageUrl } from '../../src/reporters/check-page.js';
import { measuresOf } from '../../src/reporters/measures.js';
import { requireService } from '../support/services.js';

// The HTML sign-off of the example, rendered in the test Chromium: every item a release manager
// signs is on the page, the numbers read back from it are the report's, and the layout holds at a
// desktop and a narrow width.
const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/st-risk-platform');
const dir = mkdtempSync(join(tmpdir(), 'strisk-signoff-'));

function audit(name: string, extra: string[]): Report {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin/strisk.js'),
      'audit',
      EXAMPLE,
      '--environment',
      'staging',
      '--approver',
      'Jane Doe',
      '--format',
      `html=${join(dir, `${name}.html`)}`,
      '--format',
      `json=${join(dir, `${name}.json`)}`,
      ...extra,
    ],
    { encoding: 'utf8', cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 },
  );
  expect(r.stderr).toBe('');
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
}

let browser: Browser;
let report: Report;
beforeAll(async () => {
  report = audit('files', []);
  browser = await chromium.launch({
    executablePath: requireService('STRISK_TEST_CHROMIUM'),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

async function open(name: string, width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(pathToFileURL(join(dir, `${name}.html`)).href);
  return page;
}

describe('the HTML sign-off of the example', () => {
  it('has titles with every id, a reason for every skip, checklist order, the roadmap apart', async () => {
    const page = await open('files', 1200);
    const rows = await page.$$eval('#signoff tr:not(.sec-row)', (trs) =>
      trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(rows.length).toBe(report.results.length);
    for (const [item, check, verdict, reason] of rows) {
      const id = check!.split(/\s/)[0]!.replace(/[A-Z].*$/, '');
      const result = report.results.find((r) => check!.startsWith(r.id));
      expect(result, `row ${check}`).toBeDefined();
      expect(check).toBe(`${result!.id}${result!.title}`); // the id, then its title
      expect(item).toBe(result!.seedRef);
      if (result!.status === 'skip') {
        expect(verdict).toBe('not run');
        expect(reason, `${id} says why it did not run`).toBe(result!.message);
      }
    }
    // Sections in the checklist's order, each once.
    const sections = await page.$$eval('#signoff tr.sec-row', (trs) => trs.map((t) => t.textContent));
    const order = SECTIONS.map((s) => s.name);
    expect(sections).toEqual(order.filter((s) => sections.includes(s)));
    // Roadmap items are apart from the audit, with their rule; none shows "not run".
    const roadmap = await page.$$eval('#roadmap tr', (trs) => trs.slice(1).map((t) => t.textContent ?? ''));
    // Every checklist item is implemented now (the Kubernetes ones too): the roadmap lists what is not.
    expect(roadmap.length).toBe(ROADMAP.length);
    expect(await page.textContent('#signoff')).toContain('k8s/hpa-cpu-target');
    // Every finding links to its check page.
    const links = await page.$$eval('#findings a', (as) => as.map((a) => a.getAttribute('href')));
    const findings = report.results.filter((r) => ['fail', 'warn', 'error'].includes(r.status));
    expect(links).toEqual(findings.map((r) => checkPageUrl(r.id)));
    await page.close();
  }, 60_000);

  it('names the commit, its dirty state, the config hash, the version and the sign-off block', async () => {
    const page = await open('files', 1200);
    const commit = execFileSync('git', ['-C', EXAMPLE, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['-C', EXAMPLE, 'status', '--porcelain', '--untracked-files=no', '--', '.'], {
        encoding: 'utf8',
      }).trim() !== '';
    expect(await page.textContent('#git-commit')).toBe(commit);
    expect(await page.textContent('#git-dirty')).toBe(dirty ? 'with uncommitted changes' : 'clean');
    const config = readFileSync(join(EXAMPLE, 'strisk.config.yaml'));
    expect(await page.textContent('#config-hash')).toBe(createHash('sha256').update(config).digest('hex'));
    expect(await page.textContent('#tool-version')).toBe(report.tool.version);
    expect(await page.textContent('#approver')).toBe('Jane Doe');
    expect(await page.textContent('#environment')).toBe('staging');
    expect(await page.textContent('#signoff-date')).toBe(report.startedAt.slice(0, 10));
    // Printable: the sign-off block is not split across pages.
    await page.emulateMedia({ media: 'print' });
    expect(await page.$eval('#signoff-block', (e) => getComputedStyle(e).breakInside)).toBe('avoid');
    await page.close();
  }, 60_000);

  it('charts the score per section: the bars and labels are the report’s scores, n/a where nothing was judged', async () => {
    const page = await open('files', 1200);
    const shown = await page.$$eval('tr.section', (trs) =>
      trs.map((t) => ({
        section: (t as HTMLElement).dataset.section,
        text: t.querySelector('.section-score')?.textContent,
        bar: t.querySelector('.score-bar')?.getAttribute('width') ?? null,
      })),
    );
    expect(shown).toEqual(
      report.sections.map((s) => {
        const judged = s.counts.pass + s.counts.warn + s.counts.fail > 0;
        return {
          section: s.section,
          text: judged ? `${s.score}%` : 'n/a',
          bar: judged ? ((s.score ?? 0) * 3).toFixed(1) : null,
        };
      }),
    );
    await page.close();
  }, 60_000);

  it('keeps its layout at a desktop and a narrow width: same order, nothing wider than the window', async () => {
    const layout = async (width: number) => {
      const page = await open('files', width);
      const boxes = await page.$$eval('h2', (hs) =>
        hs.map((x) => ({ text: x.textContent, top: x.getBoundingClientRect().top })),
      );
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const shot = await page.screenshot({ fullPage: true });
      await page.close();
      return { boxes, overflow, shot };
    };
    const wide = await layout(1200);
    const narrow = await layout(600);
    // The same sections in the same order, top to bottom, at both widths.
    expect(narrow.boxes.map((b) => b.text)).toEqual(wide.boxes.map((b) => b.text));
    for (const l of [wide, narrow]) {
      const tops = l.boxes.map((b) => b.top);
      expect([...tops].sort((a, b) => a - b)).toEqual(tops);
      expect(l.overflow).toBeLessThanOrEqual(1);
      expect(l.shot.length).toBeGreaterThan(10_000);
    }
    // The narrow page wraps into a longer one.
    expect(narrow.boxes.at(-1)!.top).toBeGreaterThan(wide.boxes.at(-1)!.top);
  }, 90_000);
});

describe('a live audit of the test servers', () => {
  it('charts the measured values against their thresholds, as the report has them', async () => {
    const live = audit('live', [
      '--redis',
      requireService('STRISK_TEST_REDIS_GOOD'),
      '--http',
      requireService('STRISK_TEST_HTTP_EXAMPLE'),
      '--postgres',
      requireService('STRISK_TEST_PG_GOOD'),
    ]);
    const expected = measuresOf(live.results);
    expect(expected.some((m) => m.id === 'http/latency')).toBe(true);
    expect(expected.some((m) => m.id === 'redis/hit-ratio')).toBe(true);
    const page = await open('live', 1200);
    const bars = await page.$$eval('#measures g.measure', (gs) =>
      gs.map((g) => {
        const d = (g as SVGGElement).dataset;
        return {
          id: d.check,
          subject: d.subject,
          value: Number(d.value),
          threshold: Number(d.threshold),
          text: g.querySelector('text.value')?.textContent,
          barEnd: Number(g.querySelector('.value-bar')?.getAttribute('width')),
          mark: Number(g.querySelector('.threshold')?.getAttribute('x1')),
        };
      }),
    );
    expect(bars.map(({ id, subject, value, threshold }) => ({ id, subject, value, threshold }))).toEqual(
      expected.map(({ id, subject, value, threshold }) => ({ id, subject, value, threshold })),
    );
    for (const [i, b] of bars.entries()) {
      const m = expected[i]!;
      expect(b.text).toBe(
        `${formatQuantity(m.value, m.unit)} · limit ${m.kind === 'max' ? '≤' : '≥'} ${formatQuantity(m.threshold, m.unit)}`,
      );
      // The bar ends left of the threshold mark exactly when the value is under the threshold.
      expect(330 + b.barEnd < b.mark).toBe(m.value < m.threshold);
    }
    await page.close();
  }, 180_000);
});
