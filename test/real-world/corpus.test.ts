// The real-world corpus of issue 12: public compose stacks and Dockerfiles, each verdict judged by
// hand once and written next to the files (expected.yaml). Every row is asserted here; a row whose
// verdict strisk still gets wrong carries `known: "<issue class>: …"` and is an expected failure, so
// the suite stays green today and turns red the moment a fix makes the row right (drop the marker then).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { CHECKS } from '../../src/checks/index.js';
import { audit } from '../../src/cli/audit.js';
import type { Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../../fixtures/real-world');

const SERVICE_VERDICT = z.enum(['pass', 'warn', 'fail', 'n/a', 'one-shot']);
const Row = z
  .object({
    status: z.enum(['pass', 'warn', 'fail', 'skip', 'error']),
    why: z.string().min(1),
    known: z
      .string()
      .regex(/^(\d+|new): \S/)
      .optional(),
    services: z.record(z.string(), SERVICE_VERDICT).optional(),
  })
  .strict();
const Expected = z
  .object({
    audit: z
      .object({
        /** Where the user runs it, relative to the stack directory. */
        dir: z.string().optional(),
        /** Compose files given with -f, relative to that directory. */
        compose: z.array(z.string()).optional(),
        profiles: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    checks: z.record(z.string(), Row),
  })
  .strict();
type Expected = z.infer<typeof Expected>;
type Result = Report['results'][number];

const COMPOSE_IDS = CHECKS.map((c) => c.id).filter((id) => id.startsWith('compose/'));
const DOCKERFILE_IDS = CHECKS.map((c) => c.id).filter((id) => id.startsWith('dockerfile/'));

interface Case {
  kind: 'compose' | 'dockerfiles';
  name: string;
  dir: string;
  expected: Expected;
}

const cases: Case[] = (['compose', 'dockerfiles'] as const).flatMap((kind) =>
  readdirSync(join(ROOT, kind))
    .sort()
    .map((name) => {
      const dir = join(ROOT, kind, name);
      const expected = Expected.parse(parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')));
      return { kind, name, dir, expected };
    }),
);

/** The audit as the CLI runs it, in-process: JSON report of the compose and Dockerfile checks. */
async function runAudit(c: Case): Promise<Report> {
  let out = '';
  const code = await audit(
    join(c.dir, c.expected.audit?.dir ?? ''),
    {
      format: ['json'],
      only: ['compose/*', 'dockerfile/*'],
      profile: c.expected.audit?.profiles ?? [],
      compose: c.expected.audit?.compose ?? [],
      dockerfile: [],
      skip: [],
    },
    { env: {}, stdout: (t) => (out += t), isTTY: false },
  );
  expect([0, 1]).toContain(code);
  return JSON.parse(out) as Report;
}

const RANK: Record<string, number> = { fail: 3, warn: 2, pass: 1 };

/** What a check said about one service: its worst judged item, `one-shot` when only listed as a job, else n/a. */
function serviceVerdict(result: Result, service: string): z.infer<typeof SERVICE_VERDICT> {
  const items = result.evidence.filter(
    (e) => e.subject === `service ${service}` || e.subject?.startsWith(`service ${service} →`),
  );
  const judged = items.flatMap((e) =>
    e.status === 'pass' || e.status === 'warn' || e.status === 'fail' ? [e.status] : [],
  );
  // Listed as a run-once job (its note says one-shot); any other info item says "not judged": n/a.
  if (judged.length === 0) return items.some((e) => /\bone-shot\b/.test(e.note ?? '')) ? 'one-shot' : 'n/a';
  return judged.reduce((worst, s) => (RANK[s]! > RANK[worst]! ? s : worst));
}

describe('real-world corpus: every directory is complete', () => {
  it('holds at least 25 compose stacks and 20 Dockerfiles', () => {
    expect(cases.filter((c) => c.kind === 'compose').length).toBeGreaterThanOrEqual(25);
    expect(cases.filter((c) => c.kind === 'dockerfiles').length).toBeGreaterThanOrEqual(20);
  });
  for (const c of cases) {
    it(`${c.kind}/${c.name} has its provenance and a verdict for every check id`, () => {
      const provenance = readFileSync(join(c.dir, 'PROVENANCE.md'), 'utf8');
      expect(provenance).toMatch(/Repository: https:\/\/github\.com\//);
      expect(provenance).toMatch(/Commit: [0-9a-f]{40}/);
      expect(provenance).toMatch(/Licence: \S/);
      const ids = c.kind === 'compose' ? [...COMPOSE_IDS, ...DOCKERFILE_IDS] : DOCKERFILE_IDS;
      expect(Object.keys(c.expected.checks).sort()).toEqual([...ids].sort());
      if (c.kind === 'dockerfiles') expect(existsSync(join(c.dir, 'Dockerfile'))).toBe(true);
    });
  }
});

for (const c of cases) {
  describe(`real-world ${c.kind}/${c.name}`, () => {
    let report: Report;
    beforeAll(async () => {
      report = await runAudit(c);
    });
    if (c.kind === 'compose') {
      it('names only services the compose model has, and judges each one in every per-service row', () => {
        // compose/network-mode lists every service of the model.
        const model = report.results
          .find((r) => r.id === 'compose/network-mode')!
          .evidence.map((e) => e.subject?.replace(/^service /, ''))
          .sort();
        for (const row of Object.values(c.expected.checks)) {
          if (row.services) expect(Object.keys(row.services).sort()).toEqual(model);
        }
      });
    }
    for (const [id, row] of Object.entries(c.expected.checks)) {
      const title = `${id}: ${row.status}${row.known ? ` (known wrong, class ${row.known})` : ''}`;
      const check = () => {
        const result = report.results.find((r) => r.id === id);
        expect(result, `${id} in the report`).toBeDefined();
        const got = {
          status: result!.status,
          services: Object.fromEntries(
            Object.keys(row.services ?? {}).map((s) => [s, serviceVerdict(result!, s)]),
          ),
        };
        expect(got, `${c.name} ${id}: ${row.why}`).toEqual({
          status: row.status,
          services: row.services ?? {},
        });
      };
      // A known-wrong row must keep failing: when it starts passing, remove its `known` marker.
      if (row.known) it.fails(title, check);
      else it(title, check);
    }
  });
}
