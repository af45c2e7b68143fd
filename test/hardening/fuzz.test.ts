// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose and Dockerfile `${VAR}` references, not templates
// Issue 11, "Done when": a property-based fuzz test over compose files (with .env), Dockerfiles and
// strisk.config.yaml. Each generated project is audited in-process through the same `audit()` the
// CLI runs, with all 7 formats rendered. Every outcome must be a report (exit 0, 1 or 3, valid JSON
// on stdout, no internal error text in it) or one line of bad input (an InputError: exit 2), never
// a crash or a stack trace.
//
// CI runs a few hundred inputs. The hand-started run: STRISK_FUZZ_RUNS=100000 npx vitest run
// test/hardening/fuzz.test.ts (the runs are split over the three properties; STRISK_FUZZ_SEED
// replays one). Its result is in BENCHMARKS.md ("Fuzz").
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/cli/audit.js';
import { InputError } from '../../src/core/errors.js';
import { terminalSafe } from '../../src/reporters/escape.js';

const TOTAL_RUNS = Number(process.env.STRISK_FUZZ_RUNS ?? 600);
const RUNS = Math.max(1, Math.ceil(TOTAL_RUNS / 3));
const SEED = process.env.STRISK_FUZZ_SEED === undefined ? undefined : Number(process.env.STRISK_FUZZ_SEED);
const HAND_RUN = TOTAL_RUNS > 5000;
// A hand-started run takes its time; CI's few hundred inputs stay well under the test timeout.
const TIMEOUT = HAND_RUN ? 24 * 3600_000 : 120_000;

const base = mkdtempSync(join(tmpdir(), 'strisk-fuzz-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;
const outcomes = { report: 0, inputError: 0 };

/** What a JS error looks like when it escapes into a message: a bug, whatever wraps it. */
const INTERNAL =
  /Cannot read propert|is not a function|is not iterable|Maximum call stack|undefined is not|Cannot convert|Invalid array length|internal error|\n\s+at /;

const FORMATS = ['terminal', 'junit', 'sarif', 'markdown', 'html', 'github'];
// The hand run renders the other six formats for every 8th project, to get through 100,000 in time.
const EVERY_FORMAT = HAND_RUN ? 8 : 1;
const LOG = process.env.STRISK_FUZZ_LOG;
const started = performance.now();

/** Writes the project, audits it, and checks the outcome. */
async function auditProject(files: Record<string, string>): Promise<void> {
  const n = counter++;
  const dir = join(base, `p${n}`);
  mkdirSync(dir);
  if (LOG && n % 2000 === 0) {
    const s = ((performance.now() - started) / 1000).toFixed(0);
    appendFileSync(LOG, `${new Date().toISOString()} ${n} inputs, ${s} s, ${JSON.stringify(outcomes)}\n`);
  }
  const formats = n % EVERY_FORMAT === 0 ? FORMATS : [];
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    let stdout = '';
    let code: number;
    try {
      code = await audit(
        dir,
        { format: ['json', ...formats.map((f) => `${f}=${join(dir, `out.${f}`)}`)], verbose: true },
        { env: {}, isTTY: false, stdout: (t) => (stdout += t) },
      );
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const line = terminalSafe(err.format()); // what the CLI prints on stderr
      expect(line, line).not.toMatch(INTERNAL);
      expect(line.includes('\n'), `more than one line: ${line}`).toBe(false);
      expect(line.length).toBeGreaterThan(0);
      outcomes.inputError++;
      return;
    }
    expect([0, 1, 3], `exit ${code}`).toContain(code);
    const report = JSON.parse(stdout) as { gate?: unknown; results?: unknown[] };
    expect(report.gate).toBeDefined();
    expect(Array.isArray(report.results)).toBe(true);
    expect(stdout, 'internal error text in the report').not.toMatch(INTERNAL);
    outcomes.report++;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const params = (runs: number): fc.Parameters<unknown> => ({
  numRuns: runs,
  ...(SEED === undefined ? {} : { seed: SEED }),
  // Shrinking a hand-run failure can take long; the seed and path printed replay it.
  endOnFailure: HAND_RUN,
});

// ---- shared pieces ------------------------------------------------------------------------------

const VARS = ['TAG', 'MEM', 'EMPTY', 'UNSET', 'PW', 'A_B', 'x'];
const weird = fc.constantFrom(
  '',
  ' ',
  '~',
  'null',
  'true',
  'no',
  'on',
  '0',
  '-1',
  '0x1F',
  '0o17',
  '1e400',
  '.inf',
  '-.nan',
  '512m',
  '1.5',
  '2g',
  '10s',
  '1h2m',
  'unless-stopped',
  'on-failure:3',
  'service_healthy',
  'host',
  'json-file',
  'NONE',
  'CMD-SHELL',
  'uvicorn app:app --workers 4',
  'gunicorn -k uvicorn.workers.UvicornWorker -w ${W:-2}',
  'postgres:16',
  'redis:7-alpine',
  'clickhouse/clickhouse-server:24',
  'ghcr.io/org/app@sha256:abc',
  './data:/var/lib/postgresql/data',
  '/tmp:/tmp:ro',
  '8000:8000',
  '127.0.0.1:5432:5432/tcp',
  'postgresql://u:p@db:5432/x',
  '$$',
  '$',
  '${',
  '}',
  '${}',
  '${1X}',
  '${A:-${B:-${C}}}',
  '${TAG:?need it}',
  '${UNSET?}',
  '${MEM:+x}',
  '$TAG',
  '\u0000',
  '\u001b[31m',
  '\n::error::x',
  '<script>',
  'é😀',
);
const interp = fc
  .tuple(
    fc.constantFrom(...VARS),
    fc.constantFrom('', ':-', '-', ':?', '?', ':+', '+'),
    fc.string({ maxLength: 6 }),
  )
  .map(([v, op, arg]) => (op === '' ? `\${${v}}` : `\${${v}${op}${arg}}`));
const scalarText = fc.oneof(
  { weight: 4, arbitrary: weird },
  { weight: 2, arbitrary: interp },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

/** A scalar as YAML text: plain, double- or single-quoted, a block scalar, or tagged. */
const yamlScalar = fc
  .tuple(scalarText, fc.constantFrom('plain', 'plain', 'double', 'single', 'tagged', 'block'))
  .map(([s, style]) => {
    switch (style) {
      case 'double':
        return JSON.stringify(s);
      case 'single':
        return `'${s.replace(/'/g, "''")}'`;
      case 'tagged':
        return `${['!reset', '!override', '!!str', '!!int', '!!merge', '!custom'][s.length % 6]} ${s}`;
      case 'block':
        return `|\n  ${s}`;
      default:
        return s;
    }
  });

// ---- compose ------------------------------------------------------------------------------------

const COMPOSE_KEYS = [
  'services',
  'image',
  'build',
  'context',
  'dockerfile',
  'target',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'healthcheck',
  'test',
  'interval',
  'disable',
  'deploy',
  'resources',
  'limits',
  'memory',
  'cpus',
  'replicas',
  'restart_policy',
  'condition',
  'mem_limit',
  'ports',
  'volumes',
  'type',
  'source',
  'labels',
  'logging',
  'driver',
  'options',
  'max-size',
  'depends_on',
  'restart',
  'read_only',
  'tmpfs',
  'profiles',
  'extends',
  'service',
  'file',
  'include',
  'path',
  'network_mode',
  'networks',
  'scale',
  'name',
  'x-common',
  '<<',
  'api',
  'db',
  'redis',
  'worker',
];
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...COMPOSE_KEYS) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.constantFrom('? complex', '[a, b]', '{a: 1}', '*a0', '""', '1', 'true') },
);

type Tree =
  | { kind: 'scalar'; text: string }
  | { kind: 'map'; entries: [string, Tree][] }
  | { kind: 'seq'; items: Tree[] }
  | { kind: 'alias'; n: number }
  | { kind: 'anchor'; n: number; node: Tree }
  | { kind: 'merge'; n: number };

const tree = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: yamlScalar.map((text) => ({ kind: 'scalar' as const, text })) },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.tuple(key, tie('node')), { maxLength: 5 })
        .map((entries) => ({ kind: 'map' as const, entries })),
    },
    {
      weight: 2,
      arbitrary: fc.array(tie('node'), { maxLength: 4 }).map((items) => ({ kind: 'seq' as const, items })),
    },
    { weight: 1, arbitrary: fc.nat(3).map((n) => ({ kind: 'alias' as const, n })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat(3), tie('node')).map(([n, node]) => ({ kind: 'anchor' as const, n, node })),
    },
    { weight: 1, arbitrary: fc.nat(3).map((n) => ({ kind: 'merge' as const, n })) },
  ),
})).node;

/** YAML text for a tree, block style with some flow collections. */
function toYaml(t: Tree, indent: number, flow: boolean): string {
  const pad = ' '.repeat(indent);
  switch (t.kind) {
    case 'scalar':
      return flow && t.text.includes('\n') ? JSON.stringify(t.text) : t.text.replace(/\n/g, `\n${pad}  `);
    case 'alias':
      return `*a${t.n}`;
    case 'merge':
      return flow ? `{<<: *a${t.n}}` : `\n${pad}<<: *a${t.n}`;
    case 'anchor':
      return `&a${t.n} ${toYaml(t.node, indent, flow)}`;
    case 'seq':
      if (flow || t.items.length === 0) return `[${t.items.map((i) => toYaml(i, 0, true)).join(', ')}]`;
      return t.items.map((i) => `\n${pad}- ${toYaml(i, indent + 2, false)}`).join('');
    case 'map':
      if (flow || t.entries.length === 0)
        return `{${t.entries.map(([k, v]) => `${k}: ${toYaml(v, 0, true)}`).join(', ')}}`;
      return t.entries.map(([k, v]) => `\n${pad}${k}: ${toYaml(v, indent + 2, false)}`).join('');
  }
}

/** Mostly compose-shaped: `services:` with service maps; sometimes any tree at all. */
const serviceBody = fc.array(fc.tuple(fc.constantFrom(...COMPOSE_KEYS.slice(1, 45)), tree), { maxLength: 7 });
const composeText = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom('api', 'db', 'redis', 'worker', 'x y', '"q"'), serviceBody), {
      maxLength: 4,
    }),
    fc.array(fc.tuple(key, tree), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([services, extra, shaped]) => {
    const body: Tree = {
      kind: 'map',
      entries: [
        ...(shaped
          ? ([
              [
                'services',
                {
                  kind: 'map',
                  entries: services.map(([n, s]) => [n, { kind: 'map', entries: s }] as [string, Tree]),
                },
              ],
            ] as [string, Tree][])
          : []),
        ...extra,
      ],
    };
    return toYaml(body, 0, false).replace(/^\n/, '');
  });

/** Random damage to a text: a slice cut out, or bytes put in. */
const mutated = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(text, fc.nat(), fc.nat(40), fc.oneof(fc.constant(''), fc.string({ maxLength: 6 }), weird))
    .map(([t, at, len, insert]) => {
      const i = t.length === 0 ? 0 : at % t.length;
      return t.slice(0, i) + insert + t.slice(i + len);
    });

const dotenv = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...VARS), scalarText).map(([k, v]) => `${k}=${v}`),
      fc.tuple(fc.constantFrom(...VARS), scalarText).map(([k, v]) => `export ${k}="${v}"`),
      fc.tuple(fc.constantFrom(...VARS), scalarText).map(([k, v]) => `${k}='${v}`),
      fc.constantFrom('# comment', '', 'BAD KEY=1', 'NOVALUE', '=x', 'MULTI="a\nb"', 'X=${'),
    ),
    { maxLength: 6 },
  )
  .map((lines) => lines.join('\n'));

// ---- Dockerfiles --------------------------------------------------------------------------------

const image = fc.constantFrom(
  'python:3.12-slim',
  'python:3.12-alpine',
  'node:20',
  'scratch',
  'base',
  'builder',
  '${BASE}',
  '$BASE:${TAG:-x}',
  'ghcr.io/o/a@sha256:00',
  '',
  '--platform=$BUILDPLATFORM golang:1.22',
  'a b c',
  '"quoted"',
);
const word = fc.oneof(
  weird,
  fc.string({ maxLength: 10 }),
  fc.constantFrom('pip install -r requirements.txt', 'apt-get install -y gcc', 'npm ci', 'COPY', '\\', '&&'),
);
const instruction = fc.oneof(
  fc
    .tuple(image, fc.option(fc.constantFrom('builder', 'base', 'final', 'AS', '')))
    .map(([i, as]) => `FROM ${i}${as === null ? '' : ` AS ${as}`}`),
  word.map((w) => `RUN ${w}`),
  fc.array(word, { maxLength: 3 }).map((ws) => `RUN ${JSON.stringify(ws)}`),
  fc.tuple(word, word).map(([a, b]) => `RUN <<EOF\n${a}\n${b}\nEOF`),
  fc.tuple(word, word).map(([a, b]) => `RUN ${a} \\\n    ${b}`),
  fc
    .tuple(
      fc.constantFrom('COPY', 'ADD'),
      fc.constantFrom('', '--from=builder ', '--chown=1:1 ', '--link '),
      word,
    )
    .map(([i, f, w]) => `${i} ${f}${w} /app/`),
  fc.tuple(word).map(([w]) => `COPY <<EOF /app/x\n${w}\nEOF`),
  fc
    .tuple(fc.constantFrom('ARG', 'ENV', 'LABEL'), fc.constantFrom(...VARS), word)
    .map(([i, k, v]) => `${i} ${k}=${v}`),
  fc
    .tuple(fc.constantFrom('CMD', 'ENTRYPOINT'), fc.array(word, { maxLength: 4 }))
    .map(([i, ws]) => `${i} ${JSON.stringify(ws)}`),
  fc
    .tuple(
      fc.constantFrom(
        'CMD',
        'ENTRYPOINT',
        'HEALTHCHECK',
        'USER',
        'WORKDIR',
        'EXPOSE',
        'VOLUME',
        'SHELL',
        'STOPSIGNAL',
        'ONBUILD',
        'MAINTAINER',
        'BOGUS',
      ),
      word,
    )
    .map(([i, w]) => `${i} ${w}`),
  fc.constantFrom(
    'HEALTHCHECK NONE',
    'HEALTHCHECK --interval=5s CMD curl -f http://localhost/',
    'CMD ["unterminated"',
    '# comment',
    '',
    '\\',
    '   ',
    'FROM',
    'RUN',
  ),
);
const dockerfileText = fc
  .tuple(
    fc.constantFrom('', '# syntax=docker/dockerfile:1\n', '# escape=`\n', 'ARG BASE=python:3.12\n'),
    fc.array(instruction, { maxLength: 10 }),
  )
  .map(([head, lines]) => head + lines.join('\n'));

// ---- config -------------------------------------------------------------------------------------

const checkId = fc.constantFrom(
  'compose/healthcheck',
  'compose/memory-limit',
  'dockerfile/base-image',
  'redis/maxmemory-policy',
  'compose/*',
  'redis',
  'nope/nope',
  '',
);
const configValue: fc.Arbitrary<unknown> = fc.oneof(
  scalarText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(scalarText, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'tolerance', 'appMaxBytes', 'reason'), scalarText, { maxKeys: 2 }),
);
const config = fc
  .record(
    {
      project: scalarText,
      machine: fc.record(
        { memory: fc.oneof(scalarText, fc.integer()), cpus: fc.oneof(fc.integer(), scalarText) },
        { requiredKeys: [] },
      ),
      roles: fc.dictionary(
        fc.constantFrom('api', 'db', 'x'),
        fc.constantFrom('app', 'postgres', 'redis', 'nope', ''),
      ),
      checks: fc.record(
        {
          only: fc.array(checkId, { maxLength: 2 }),
          skip: fc.array(checkId, { maxLength: 2 }),
          options: fc.dictionary(
            checkId,
            fc.dictionary(fc.constantFrom('appMaxBytes', 'x', 'minSeconds'), configValue),
          ),
          severity: fc.dictionary(checkId, fc.constantFrom('critical', 'high', 'low', 'bogus')),
        },
        { requiredKeys: [] },
      ),
      failOn: fc.constantFrom('fail', 'warn', 'never', 'regression', 'x'),
      minScore: fc.oneof(fc.integer({ min: -5, max: 105 }), scalarText),
      timeoutMs: fc.oneof(fc.integer(), fc.constant(2147483648), scalarText),
      waivers: fc.array(
        fc.record(
          {
            check: checkId,
            reason: scalarText,
            owner: scalarText,
            expires: fc.constantFrom('2099-01-01', '2000-01-01', 'soon', ''),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      attestations: fc.array(fc.dictionary(fc.constantFrom('check', 'by', 'on', 'evidence'), scalarText), {
        maxLength: 2,
      }),
      baseline: fc.record({ tolerance: configValue }, { requiredKeys: [] }),
      compose: fc.record(
        {
          files: fc.array(fc.constantFrom('compose.yaml', 'nope.yaml', '../x'), { maxLength: 2 }),
          profiles: fc.array(scalarText, { maxLength: 2 }),
          envFile: fc.constantFrom('.env', 'none.env'),
        },
        { requiredKeys: [] },
      ),
      dockerfiles: fc.array(fc.constantFrom('Dockerfile', 'nope'), { maxLength: 2 }),
      unknownKey: configValue,
    },
    { requiredKeys: [] },
  )
  .map((c) => JSON.stringify(c, null, 1));

/** Configs that pass validation more often than not, so that the audit behind them runs too. */
const plausibleConfig = fc
  .record(
    {
      project: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
      machine: fc.record(
        {
          memory: fc.constantFrom('64GB', '8g', '512MiB', 1073741824),
          cpus: fc.integer({ min: 1, max: 64 }),
        },
        { requiredKeys: [] },
      ),
      roles: fc.dictionary(
        fc.constantFrom('api', 'db', 'worker'),
        fc.constantFrom('app', 'postgres', 'redis'),
      ),
      checks: fc.record(
        {
          skip: fc.array(fc.constantFrom('compose/healthcheck', 'redis', 'compose/*', 'dockerfile/*'), {
            maxLength: 2,
          }),
          severity: fc.dictionary(
            fc.constantFrom('compose/healthcheck', 'compose/memory-limit'),
            fc.constantFrom('critical', 'high', 'medium', 'low', 'info'),
          ),
        },
        { requiredKeys: [] },
      ),
      failOn: fc.constantFrom('fail', 'warn', 'never'),
      minScore: fc.integer({ min: 0, max: 100 }),
      timeoutMs: fc.integer({ min: 100, max: 600_000 }),
    },
    { requiredKeys: [] },
  )
  .map((c) => JSON.stringify(c, null, 1));

const SIMPLE_COMPOSE = 'services:\n  api:\n    image: python:3.12\n    command: uvicorn app:app\n';

describe('fuzz: every input ends in a report or one line of bad input', () => {
  it(`compose files and .env (${RUNS} projects)`, { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(composeText, mutated(composeText)), dotenv, async (compose, env) => {
        await auditProject({ 'compose.yaml': compose, '.env': env });
      }),
      params(RUNS),
    );
  });

  it(`Dockerfiles (${RUNS} projects)`, { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(dockerfileText, mutated(dockerfileText)), async (dockerfile) => {
        await auditProject({ 'compose.yaml': SIMPLE_COMPOSE, Dockerfile: dockerfile });
      }),
      params(RUNS),
    );
  });

  it(`strisk.config.yaml (${RUNS} projects)`, { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(plausibleConfig, config, mutated(config)), async (text) => {
        await auditProject({ 'compose.yaml': SIMPLE_COMPOSE, 'strisk.config.yaml': text });
      }),
      params(RUNS),
    );
    // Both outcomes occur: the generators reach past validation into reports.
    expect(outcomes.report).toBeGreaterThan(0);
    expect(outcomes.inputError).toBeGreaterThan(0);
    const summary = `${counter} inputs in ${((performance.now() - started) / 1000).toFixed(0)} s: ${JSON.stringify(outcomes)}`;
    if (LOG) appendFileSync(LOG, `${new Date().toISOString()} done: ${summary}\n`);
    if (HAND_RUN) console.log(`fuzz: ${summary}`);
  });
});
