import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { ROOT, strisk, tmp } from './cli.js';

// Hostile names are inert in all 7 formats (issue 11, "Injection"): a name from a compose file or
// from a live server (a ClickHouse table, a Redis key pattern, a container) with newlines, a GitHub
// workflow command, terminal escapes (CSI, OSC, 8-bit CSI), BEL, line and paragraph separators,
// bidi overrides and HTML/XML metacharacters cannot start a line, drive a terminal or add markup.

const HOSTILE =
  'x\n::error file=pwn,line=1::injected\r::warning::cr\u001b]0;title\u0007\u001b[31mred\u009b1m' +
  '\u2028::notice::ls\u2029\u202eevil\u2066<script>alert(1)</script>]]><!--&amp;"\'';
const MARKER = 'injected';

const FORMATS = ['terminal', 'json', 'junit', 'sarif', 'markdown', 'html', 'github'] as const;
// Raw bytes a terminal would act on, or that reorder or break lines: none may reach an output.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// strisk's own workflow commands: a kind, then optional file and line, then its title.
const OWN_COMMAND = /^::(error|warning|notice) (file=[^,:]*,)?(line=\d+,)?title=strisk[^,:]*::/;

/** Every format of one run; the terminal one verbose, so that passing evidence is shown too. */
function renderAll(args: string[]): Record<(typeof FORMATS)[number], string> {
  const dir = tmp();
  const r = strisk([
    ...args,
    '-v',
    '--format',
    'terminal',
    ...FORMATS.filter((f) => f !== 'terminal').map((f) => `--format=${f}=${join(dir, `out.${f}`)}`),
  ]);
  expect(r.stderr).toBe('');
  expect([0, 1]).toContain(r.code);
  const out = { terminal: r.stdout } as Record<(typeof FORMATS)[number], string>;
  for (const f of FORMATS) if (f !== 'terminal') out[f] = readFileSync(join(dir, `out.${f}`), 'utf8');
  return out;
}

function assertInert(out: Record<(typeof FORMATS)[number], string>, where: string) {
  // The hostile text did reach the report: in the data, as itself.
  const report = JSON.parse(out.json) as Report;
  expect(JSON.stringify(report), where).toContain(JSON.stringify(HOSTILE).slice(1, -1));

  for (const f of FORMATS) {
    expect(out[f], `${where} ${f}`).toContain(MARKER);
    expect(RAW_CONTROL.exec(out[f])?.[0], `${where} ${f}: raw control character`).toBeUndefined();
  }
  // No line starts a workflow command but strisk's own.
  for (const line of out.terminal.split('\n')) expect(line, `${where} terminal`).not.toMatch(/^\s*::/);
  for (const line of out.markdown.split('\n')) expect(line, `${where} markdown`).not.toMatch(/^\s*::/);
  for (const line of out.github.split('\n')) {
    if (line.startsWith('::')) expect(line, `${where} github`).toMatch(OWN_COMMAND);
  }
  // JUnit is well-formed XML with no markup of the hostile text's own.
  expect(XMLValidator.validate(out.junit), `${where} junit`).toBe(true);
  const junit = new XMLParser({ ignoreAttributes: false }).parse(out.junit);
  expect(JSON.stringify(junit)).not.toMatch(/"script"|"<script>"/);
  expect(JSON.stringify(junit)).toContain('<script>alert(1)</script>'); // text, decoded by the parser
  // HTML parses as well-formed markup (void elements aside) with no element or comment of its own.
  expect(XMLValidator.validate(out.html, { unpairedTags: ['meta', 'br'] }), `${where} html`).toBe(true);
  expect(out.html).not.toMatch(/<script|<!--|\]\]>/);
  expect(out.html).toContain('&lt;script&gt;');
  expect(out.markdown).not.toMatch(/<script|<!--/);
  // SARIF and JSON stay JSON, with the text intact after parsing.
  expect(JSON.stringify(JSON.parse(out.sarif))).toContain(MARKER);
}

describe('hostile names from a compose file', () => {
  let out: ReturnType<typeof renderAll>;
  beforeAll(() => {
    const dir = tmp();
    const q = JSON.stringify(HOSTILE); // a YAML double-quoted scalar is a JSON string
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        'services:',
        `  ${q}:`,
        `    image: ${JSON.stringify(`app:1.0${HOSTILE}`)}`,
        '    network_mode: host',
        '    labels:',
        `      ${q}: ${q}`,
        '    environment:',
        `      NAME: ${q}`,
        '',
      ].join('\n'),
    );
    out = renderAll(['audit', dir]);
  });

  it('is inert in all 7 formats', () => assertInert(out, 'compose'));
});

describe('hostile names from live servers (recorded facts)', () => {
  let out: ReturnType<typeof renderAll>;
  beforeAll(() => {
    // Recorded from the test servers, then renamed as a hostile server would name things.
    const sources = Object.assign(
      {},
      ...['clickhouse/order-by/failure', 'redis/key-ttl/failure', 'docker/container-limits/failure'].map(
        (f) => JSON.parse(readFileSync(join(ROOT, 'fixtures/checks', `${f}.facts.json`), 'utf8')).sources,
      ),
    );
    const hostile = (v: unknown, key?: string): unknown =>
      typeof v === 'string' && ['name', 'pattern', 'service', 'image', 'message'].includes(key ?? '')
        ? `${v}${HOSTILE}`
        : Array.isArray(v)
          ? v.map((x) => hostile(x))
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hostile(x, k)]))
            : v;
    const facts = JSON.parse(
      readFileSync(join(ROOT, 'fixtures/checks/redis/key-ttl/failure.facts.json'), 'utf8'),
    );
    facts.sources = hostile(sources);
    const file = join(tmp(), 'hostile.facts.json');
    writeFileSync(file, JSON.stringify(facts));
    out = renderAll(['audit', '--facts', file]);
  });

  it('is inert in all 7 formats', () => assertInert(out, 'facts'));

  it('names a ClickHouse table, a Redis pattern and a container, escaped, in the terminal', () => {
    const esc = '\\x1b]0;title\\x07\\x1b[31mred\\x9b1m\\u2028';
    for (const prefix of ['app.', 'session:*', 'strisk-test-'])
      expect(out.terminal, prefix).toMatch(
        new RegExp(`${prefix.replace(/[.*]/g, '\\$&')}[^\\n]*x\\\\n::error`),
      );
    expect(out.terminal).toContain(esc);
  });
});
