import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { githubData, githubProperty } from '../../src/reporters/escape.js';
import { requireService } from '../support/services.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');
// The service name `api` everywhere in the recorded facts becomes this: it reaches evidence,
// messages and titles of many checks.
const HOSTILE =
  'api<script>window.pwned=1</script>|*b* [x](https://e.example) `t`\u001b[31m\r\n::error::pwn%,:';

const dir = mkdtempSync(join(tmpdir(), 'strisk-formats-'));
const out = (name: string) => join(dir, name);

function hostileFacts(): string {
  const facts = JSON.parse(readFileSync(join(ROOT, 'fixtures/policy/example.facts.json'), 'utf8'));
  const swap = (v: unknown): unknown =>
    v === 'api'
      ? HOSTILE
      : Array.isArray(v)
        ? v.map(swap)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]))
          : v;
  const path = out('hostile.facts.json');
  writeFileSync(path, JSON.stringify(swap(facts)));
  return path;
}

let report: Report;
beforeAll(() => {
  const cfg = out('c.yaml');
  writeFileSync(
    cfg,
    `waivers:\n  - check: compose/read-only-rootfs\n    reason: "${'<img src=x onerror=alert(1)> | [y](z)'}"\n    owner: ops\n    expires: 2099-01-01\n` +
      `attestations:\n  - check: attest/backup\n    by: "Jane <b>Doe</b> | *x*"\n    date: 2026-11-20\n    evidence: https://wiki.example.com/restore\n`,
  );
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'audit',
      '--facts',
      hostileFacts(),
      '-c',
      cfg,
      ...['json', 'sarif', 'markdown', 'html', 'github', 'junit'].map(
        (f) => `--format=${f}=${out(`r.${f}`)}`,
      ),
    ],
    { encoding: 'utf8', cwd: ROOT, env: { PATH: process.env.PATH ?? '' } },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(1);
  report = JSON.parse(readFileSync(out('r.json'), 'utf8'));
  expect(JSON.stringify(report)).toContain('<script>'); // the hostile string did reach the report
});

const read = (f: string) => readFileSync(out(`r.${f}`), 'utf8');
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

describe('sarif', () => {
  it('is valid against the SARIF 2.1.0 schema, with file and logical locations', () => {
    // Vendored from @microsoft/jest-sarif 1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json).
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(read('sarif'));
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const results = log.runs[0].results;
    const physical = results.filter((x: any) => x.locations[0].physicalLocation);
    const logical = results.filter((x: any) => x.locations[0].logicalLocations);
    expect(physical.some((x: any) => x.locations[0].physicalLocation.region.startLine > 0)).toBe(true);
    expect(logical.map((x: any) => x.ruleId)).toContain('attest/load-test');
    const waived = results.find((x: any) => x.ruleId === 'compose/read-only-rootfs');
    expect(waived.suppressions[0].status).toBe('accepted');
    for (const x of results) expect(x.message.text).not.toMatch(CONTROL);
  });
});

describe('junit', () => {
  it('is valid XML with every check, the waived one skipped, no control characters', () => {
    const xml = read('junit');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/); // XML 1.0 allows tab, LF, CR
    expect(xml).toContain('\\x1b[31m');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const cases = [parsed.testsuites.testsuite].flat().flatMap((s: any) => [s.testcase].flat());
    expect(cases.length).toBe(report.results.length);
    const waived = cases.find((c: any) => c['@_name'].startsWith('compose/read-only-rootfs'));
    expect(waived.skipped['@_message']).toMatch(/^waived by ops until 2099-01-01/);
  });
});

describe('markdown', () => {
  const md = () => read('markdown');
  it('keeps hostile text inert: no raw HTML, links, code spans or extra table cells', () => {
    const text = md();
    expect(text).not.toMatch(/<script|<img|<b>/);
    expect(text).not.toMatch(/(?<!\\)\[x(?<!\\)\]\(/);
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('&lt;script&gt;');
    for (const table of text.split(/\n\n/).filter((b) => b.startsWith('|'))) {
      const rows = table.split('\n').filter((l) => l.startsWith('|'));
      const cells = (l: string) => l.replace(/\\\\/g, '').split(/(?<!\\)\|/).length;
      for (const row of rows) expect(cells(row), row).toBe(cells(rows[0]!));
    }
  });
  it('is a sign-off document: every catalogue item, waivers, attestations', () => {
    const text = md();
    for (const id of [
      'attest/backup',
      'attest/canary',
      'report/before-after',
      'k8s/hpa-cpu-target',
      'compose/healthcheck',
    ])
      expect(text).toContain(`\`${id}\``);
    expect(text).toMatch(/## Waivers[\s\S]*compose\/read-only-rootfs/);
    expect(text).toMatch(/## Attestations[\s\S]*Jane &lt;b&gt;Doe&lt;\/b&gt; \\\| \\\*x\\\*/);
    expect(text).toMatch(/waived by ops until 2099-01-01/);
  });
});

describe('github', () => {
  it('writes one workflow command per line, with properties and data escaped', () => {
    const lines = read('github').trimEnd().split('\n');
    for (const line of lines) {
      if (!line.startsWith('::')) {
        expect(line).toMatch(/^strisk: score/);
        continue;
      }
      const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      for (const prop of (m![2] ?? '').split(',').filter(Boolean))
        expect(prop).toMatch(/^(file|line|title)=[^,:]*$/);
      expect(m![3]).not.toMatch(/[\r\n]/);
    }
    const text = read('github');
    expect(text).toMatch(/::error file=compose.yaml,line=\d+,title=strisk compose\/healthcheck/);
    expect(text).toContain('\\x1b[31m%0D%0A::error::pwn%25,:'); // mid-line: inert
    expect(githubProperty('a:b,c%d\r\ne')).toBe('a%3Ab%2Cc%25d%0D%0Ae');
    expect(githubData('50%\r\n::x')).toBe('50%25%0D%0A::x');
    expect(text).toContain('::notice'); // the waived result
  });
});

describe('html', () => {
  it('renders in headless Chromium with no request, inert hostile text and the key numbers', async () => {
    const html = read('html');
    const hash = createHash('sha256').update(read('json')).digest('hex');
    expect(html).toContain(hash);
    const browser = await chromium.launch({
      executablePath: requireService('STRISK_TEST_CHROMIUM'),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(out('r.html')).href;
      await page.goto(url);
      expect(requests).toEqual([url]);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.textContent('#score')).toBe(String(report.score));
      expect(await page.textContent('#gate')).toBe('gate failed');
      expect(await page.textContent('#content-hash')).toBe(hash);
      const sections = await page.$$eval('tr.section', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset.score),
      );
      expect(sections).toEqual(report.sections.map((s) => String(s.score ?? '')));
      const body = (await page.textContent('body')) ?? '';
      expect(body).toContain('<script>window.pwned=1</script>'); // shown as text
      expect(body).toContain('<img src=x onerror=alert(1)>');
      const signoff = await page.locator('code', { hasText: 'k8s/hpa-cpu-target' }).count();
      expect(signoff).toBe(1);
      const shot = await page.screenshot({ fullPage: true });
      expect(shot.length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
