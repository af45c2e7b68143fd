import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import stripAnsi from 'strip-ansi';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { loadColors } from '../../src/reporters/color.js';
import { colorWanted, loadWrap, terminalReport, type Wrap } from '../../src/reporters/terminal.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');
const EXAMPLE = join(ROOT, 'examples/st-risk-platform');
const tmp = () => mkdtempSync(join(tmpdir(), 'strisk-terminal-'));

function strisk(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const columns = (line: string) => [...stripAnsi(line)].length;

let report: Report;
let wrap: Wrap;
beforeAll(async () => {
  wrap = await loadWrap();
  const r = strisk(['audit', EXAMPLE, '--format', 'json']);
  expect(r.code).toBe(1);
  report = JSON.parse(r.stdout);
});

describe('colours', () => {
  it("are chalk's when asked for, loaded by the caller; plain text is the same without them", async () => {
    const colored = terminalReport(report, { color: true, colors: await loadColors() });
    const plain = terminalReport(report, { color: false });
    expect(colored).toContain('\u001b[31m');
    expect(plain).not.toContain('\u001b[');
    expect(stripAnsi(colored)).toBe(plain);
    expect(() => terminalReport(report, { color: true })).toThrow(/needs opts.colors/);
  });
});

describe('the terminal report of the example', () => {
  it('fits an 80-column terminal: no line over 80 columns, failures first with their evidence beneath', () => {
    const text = terminalReport(report, { color: false, width: 80, wrap });
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => columns(l) > 80)).toEqual([]);
    // The layout: title, the legend of [item severity] once, then the failures before anything else.
    expect(lines[0]).toBe('strisk audit of examples/st-risk-platform');
    expect(lines[1]).toMatch(/^\[1\.1 high\] after a finding is its item in the performance checklist/);
    const failedAt = lines.indexOf(`Failed (${report.counts.fail})`);
    expect(failedAt).toBeGreaterThan(0);
    const firstOther = lines.findIndex((l) => /^(Warnings|Not judged|Waived|Score per)/.test(l));
    expect(firstOther).toBeGreaterThan(failedAt);
    const failing = report.results.filter((r) => r.status === 'fail').map((r) => r.id);
    const heads = lines.slice(failedAt + 1, firstOther).filter((l) => l.startsWith('✖ '));
    expect(heads.map((l) => l.split(/\s+/)[1])).toEqual(failing);
    // Each failure: one head line, evidence indented beneath, the fix with its scope in words, the page.
    const i = lines.findIndex((l) => l.startsWith('✖ compose/healthcheck '));
    expect(lines[i + 1]).toBe('    medium]');
    expect(lines[i + 2]).toMatch(/^ {4}2 services without a healthcheck every 10 s/);
    expect(lines[i + 3]).toBe('    • service clickhouse: 30 s; expected interval ≤ 10 s (interval too long)');
    const block = lines.slice(i, lines.indexOf('    more: strisk explain compose/healthcheck', i) + 1);
    expect(block.join('\n')).toMatch(/fix: Add a healthcheck .*\n? *.*\(applies after a redeploy\)/);
    // Wrapped lines hang under their text.
    for (const l of block.slice(1)) expect(l).toMatch(/^ {4}/);
    // No bare scope in parentheses, and a fix that needs nothing says nothing.
    expect(text).not.toMatch(/\((redeploy|reload|restart|rebuild|none)\)/);
    expect(text).toMatch(
      /fix: Do the item, then sign it off in strisk\.config\.yaml with who, when and\n {6}a link to the evidence\n/,
    );
    // Sections with nothing judged say n/a; the closing line says what to do.
    expect(text).toMatch(/\n {2}ClickHouse +n\/a {2}19 not run\n/);
    const gate = lines.indexOf('gate failed: 19 failed (listed above)');
    expect(lines[gate + 1]).toMatch(/^Next: fix the 19 failed checks above, most severe first/);
    expect(lines.slice(gate + 2).every((l) => l.startsWith('  '))).toBe(true);
  });

  it('takes the full line when no width is given (a pipe or a file)', () => {
    const text = terminalReport(report, { color: false });
    expect(Math.max(...text.split('\n').map(columns))).toBeGreaterThan(120);
  });

  it('shows a waived failure as waived, and counts it as the gate does', () => {
    const waived: Report = structuredClone(report);
    const target = waived.results.find((r) => r.id === 'compose/healthcheck')!;
    target.waiver = {
      check: target.id,
      reason: 'checked by the orchestrator',
      owner: 'ops',
      expires: '2099-01-01',
      state: 'active',
      daysLeft: 9999,
    };
    const text = terminalReport(waived, { color: false, width: 80, wrap });
    expect(text).toMatch(/\nFailed \(18\)\n/);
    expect(text).toMatch(/\nWaived \(1\): not counted by the gate\n◌ compose\/healthcheck /);
    expect(text).toMatch(/waived by ops until 2099-01-01: checked by the orchestrator/);
    expect(text).toMatch(/overall +45\.2% {2}16 pass, 10 warn, 18 fail, 1 waived,/);
  });

  it('-q: the failures and the gate line only', () => {
    const text = terminalReport(report, { color: false, width: 80, wrap, quiet: true });
    expect(text.startsWith('Failed (19)\n✖ app/async-drivers')).toBe(true);
    expect(text).not.toMatch(/Warnings|Score per|Next:|strisk audit of/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('gate failed: 19 failed (listed above)');
  });

  it('one block per unreachable source, with its cause and the checks it kept from running', () => {
    const broken: Report = structuredClone(report);
    const target = 'redis://auditor:***@127.0.0.1:6379';
    broken.sources.push({
      source: 'redis',
      target,
      status: 'auth-failed',
      message: 'WRONGPASS',
      durationMs: 3,
    });
    for (const id of ['redis/aof', 'redis/maxmemory', 'redis/key-ttl']) {
      const r = broken.results.find((x) => x.id === id)!;
      Object.assign(r, {
        status: 'error',
        title: 'Redis has an append-only file',
        message: 'source redis could not be read: WRONGPASS',
        evidence: [
          { subject: `redis ${target}`, observed: 'auth-failed', note: 'WRONGPASS', status: 'fail' },
        ],
      });
    }
    const text = terminalReport(broken, { color: false, width: 80, wrap });
    expect(text.match(/could not be read:/g)).toHaveLength(1);
    expect(text).toContain(
      `! redis ${target} could not be read: auth-failed\n    WRONGPASS\n    3 checks not judged: `,
    );
    const blockedList = /3 checks not judged: (.*)\n/.exec(text)![1]!.split(', ');
    expect(blockedList.sort()).toEqual(['redis/aof', 'redis/key-ttl', 'redis/maxmemory']);
    // An error result is never printed under a title that asserts a finding.
    expect(text).not.toContain('Redis has an append-only file');
  });
});

it('an empty directory says nothing was found, and what to give', () => {
  const r = strisk(['audit', tmp()]);
  expect(r.stdout).toMatch(
    /▲ nothing to audit was found in .*: no compose file, Dockerfile, app or\s+live source/,
  );
  expect(r.stdout).toMatch(/Next: point strisk at the project/);
});

describe('colour as the ecosystem does it', () => {
  it('flags first, then FORCE_COLOR, then NO_COLOR and TERM=dumb, then whether it is a terminal', () => {
    expect(colorWanted(true, { NO_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted(false, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted(undefined, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted(undefined, { FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorWanted(undefined, { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted(undefined, { TERM: 'dumb' }, true)).toBe(false);
    expect(colorWanted(undefined, {}, true)).toBe(true);
    expect(colorWanted(undefined, {}, false)).toBe(false);
  });

  it('FORCE_COLOR and --color colour a piped report; --no-color wins over FORCE_COLOR', () => {
    const esc = '\u001b[';
    expect(strisk(['audit', EXAMPLE, '-q'], { FORCE_COLOR: '1' }).stdout).toContain(esc);
    expect(strisk(['audit', EXAMPLE, '-q', '--color']).stdout).toContain(esc);
    expect(strisk(['audit', EXAMPLE, '-q', '--no-color'], { FORCE_COLOR: '1' }).stdout).not.toContain(esc);
    expect(strisk(['audit', EXAMPLE, '-q']).stdout).not.toContain(esc);
  });

  it('a report written to a file has no colour even with --color', () => {
    const file = join(tmp(), 'r.txt');
    writeFileSync(file, '');
    strisk(['audit', EXAMPLE, '--color', '--format', `terminal=${file}`]);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^strisk audit of /);
    expect(text).not.toContain('\u001b[');
  });
});
