import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHECKS } from '../../src/checks/index.js';
import { AppFactsSchema } from '../../src/collectors/app/schema.js';
import { conformsTo } from '../../src/collectors/conforms.js';
import { collectTarget } from '../../src/collectors/live.js';
import { runCheck } from '../../src/core/engine.js';
import { emptyFacts } from '../support/fixtures.js';

// Three real FastAPI code bases (fixtures/real-world/fastapi/<name>/, see their PROVENANCE.md),
// collected as `strisk audit <dir> --app <app>` would with the default --timeout (5 s), and every
// app/* check judged against the status written by hand in expected.yaml.
const BASE = resolve(import.meta.dirname, '../../fixtures/real-world/fastapi');
const APP_CHECKS = CHECKS.filter((c) => c.id.startsWith('app/'));

interface Expected {
  app: string;
  checks: Record<string, { status: string; reason: string; judged?: string }>;
}

const corpora = readdirSync(BASE, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe.each(corpora)('%s', (name) => {
  const dir = join(BASE, name);
  const expected = parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as Expected;

  it('has a judged status and a reason for every app/* check', () => {
    expect(Object.keys(expected.checks).sort()).toEqual(APP_CHECKS.map((c) => c.id).sort());
    for (const e of Object.values(expected.checks)) expect(e.reason.length).toBeGreaterThan(10);
  });

  it('gets the judged status from every app/* check with the default options', {
    timeout: 180_000,
  }, async () => {
    const target = await collectTarget('app', { url: expected.app }, { projectDir: dir, timeoutMs: 5000 });
    expect({ status: target.status, message: target.message }).toEqual({ status: 'ok', message: undefined });
    const data = target.data as { files: string[]; errors: unknown[] };
    expect(data.files.length).toBeGreaterThan(400);
    expect(data.errors).toEqual([]);
    // The collector skips the zod parse of its own facts only when they are what it would give.
    expect(conformsTo(AppFactsSchema, target.data)).toBe(true);
    expect(AppFactsSchema.parse(target.data)).toEqual(target.data);
    const facts = emptyFacts(dir);
    facts.sources.app = [target];
    const got: Record<string, string> = {};
    for (const check of APP_CHECKS) {
      const result = runCheck(check, facts);
      got[check.id] = result.status;
      if (result.status === 'fail' || result.status === 'warn') {
        expect(result.evidence.length, `${check.id} ${result.status} without evidence`).toBeGreaterThan(0);
        expect(
          result.evidence.some((e) => e.status === result.status),
          `${check.id}: no ${result.status} item`,
        ).toBe(true);
      }
    }
    expect(got).toEqual(Object.fromEntries(Object.entries(expected.checks).map(([id, e]) => [id, e.status])));
  });
});
