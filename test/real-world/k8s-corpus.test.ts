// The Kubernetes half of the real-world corpus (issue 17): public manifests and rendered Helm charts,
// each k8s/* verdict judged by hand once and written next to the files (expected.yaml). Every row
// is asserted here, as test/real-world/corpus.test.ts does for compose stacks.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { CHECKS } from '../../src/checks/index.js';
import { audit } from '../../src/cli/audit.js';
import type { Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../../fixtures/real-world/k8s');
const K8S_IDS = CHECKS.map((c) => c.id).filter((id) => id.startsWith('k8s/'));

const Row = z
  .object({
    status: z.enum(['pass', 'warn', 'fail', 'skip', 'error']),
    why: z.string().min(1),
    known: z
      .string()
      .regex(/^(\d+|new): \S/)
      .optional(),
    /** Per workload (`Deployment api`, `Deployment ns/api`): the worst judged item, or n/a. */
    workloads: z.record(z.string(), z.enum(['pass', 'warn', 'fail', 'n/a'])).optional(),
  })
  .strict();
const Expected = z
  .object({
    audit: z.object({ k8s: z.array(z.string()) }).strict(),
    checks: z.record(z.string(), Row),
  })
  .strict();

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
  .map((name) => ({
    name,
    dir: join(ROOT, name),
    expected: Expected.parse(parse(readFileSync(join(ROOT, name, 'expected.yaml'), 'utf8'))),
  }));

const RANK: Record<string, number> = { fail: 3, warn: 2, pass: 1 };

function workloadVerdict(result: Report['results'][number], workload: string): string {
  const judged = result.evidence
    .filter((e) => e.subject === workload || e.subject?.startsWith(`${workload} `))
    .flatMap((e) => (e.status === 'pass' || e.status === 'warn' || e.status === 'fail' ? [e.status] : []));
  if (judged.length === 0) return 'n/a';
  return judged.reduce((worst, s) => (RANK[s]! > RANK[worst]! ? s : worst));
}

describe('real-world k8s corpus: every directory is complete', () => {
  it('holds at least 10 public deployments', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of cases) {
    it(`${c.name} has its provenance and a verdict for every k8s check`, () => {
      const provenance = readFileSync(join(c.dir, 'PROVENANCE.md'), 'utf8');
      expect(provenance).toMatch(/Repository: https:\/\/github\.com\//);
      expect(provenance).toMatch(/Commit: [0-9a-f]{40}/);
      expect(provenance).toMatch(/Licence: \S/);
      expect(Object.keys(c.expected.checks).sort()).toEqual([...K8S_IDS].sort());
    });
  }
});

for (const c of cases) {
  describe(`real-world k8s/${c.name}`, () => {
    let report: Report;
    beforeAll(async () => {
      let out = '';
      const code = await audit(
        c.dir,
        {
          format: ['json'],
          only: ['k8s/*'],
          k8s: c.expected.audit.k8s,
          skip: [],
          compose: [],
          dockerfile: [],
        },
        { env: {}, stdout: (t) => (out += t), isTTY: false },
      );
      expect([0, 1]).toContain(code);
      report = JSON.parse(out) as Report;
    });
    for (const [id, row] of Object.entries(c.expected.checks)) {
      const check = () => {
        const result = report.results.find((r) => r.id === id);
        expect(result, `${id} in the report`).toBeDefined();
        const got = {
          status: result!.status,
          workloads: Object.fromEntries(
            Object.keys(row.workloads ?? {}).map((w) => [w, workloadVerdict(result!, w)]),
          ),
        };
        expect(got, `${c.name} ${id}: ${row.why}`).toEqual({
          status: row.status,
          workloads: row.workloads ?? {},
        });
      };
      const title = `${id}: ${row.status}${row.known ? ` (known wrong, class ${row.known})` : ''}`;
      if (row.known) it.fails(title, check);
      else it(title, check);
    }
  });
}
