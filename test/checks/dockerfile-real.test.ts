// Verdicts on real public Dockerfiles (fixtures/dockerfile/real/<name>, provenance in each
// PROVENANCE), judged by hand once and written in expected.json next to them: with the compose file
// (`compose`, the stage each service builds) and with the Dockerfiles alone (`alone`, every shipped
// stage). Each judged evidence row names the stage it is about.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts, TargetFacts } from '../../src/core/facts.js';
import { factsOf } from '../support/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../../fixtures/dockerfile/real');

interface Expected {
  status: string;
  why?: string;
  /** [subject, status, a note pattern that must NOT appear]. */
  evidence: [string, string, string?][];
  /** subject -> pattern the evidence note must match. */
  notes?: Record<string, string>;
  /** subject -> pattern the observed value must match. */
  observed?: Record<string, string>;
  /** The evidence rows listed are all there is (no other stage judged). */
  only?: boolean;
}
type Mode = 'compose' | 'alone';

const corpus = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'expected.json')));

describe('real-world Dockerfiles', () => {
  it('holds Python, Node, Go, Java, Rust and Ruby Dockerfiles, each with its provenance', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(8);
    for (const d of corpus) {
      const provenance = readFileSync(join(ROOT, d, 'PROVENANCE'), 'utf8');
      expect(provenance).toMatch(/^repository: https:\/\/github\.com\/.+$/m);
      expect(provenance).toMatch(/^commit: [0-9a-f]{40}$/m);
      expect(provenance).toMatch(/^licence: .+$/m);
    }
  });

  for (const name of corpus) {
    const expected = JSON.parse(readFileSync(join(ROOT, name, 'expected.json'), 'utf8')) as Partial<
      Record<Mode, Record<string, Expected>>
    > & { composeFiles?: string[] };
    for (const mode of ['compose', 'alone'] as const) {
      for (const [id, want] of Object.entries(expected[mode] ?? {})) {
        it(`${name} (${mode === 'compose' ? 'with compose' : 'Dockerfiles alone'}): ${id} -> ${want.status}`, async () => {
          const projectDir = join(ROOT, name);
          const facts: Facts = await factsOf({ id, name, path: projectDir, expected: 'pass' });
          if (expected.composeFiles) {
            const files = expected.composeFiles;
            facts.sources.compose = (await collectCompose({ projectDir, files, env: {} })) as TargetFacts[];
          }
          if (mode === 'alone') delete facts.sources.compose;
          else expect(facts.sources.compose, 'the fixture has a compose file').toBeDefined();
          const check = CHECKS.find((c) => c.id === id);
          if (!check) throw new Error(`no check ${id}`);
          const result = runCheck(check, facts);
          const shown = JSON.stringify(result.evidence, null, 1);
          expect(result.status, shown).toBe(want.status);
          for (const [subject, status, notNote] of want.evidence) {
            const row = result.evidence.find((e) => e.subject === subject);
            expect(row, `${subject} in ${shown}`).toBeDefined();
            expect(row?.status, subject).toBe(status);
            if (notNote) expect(row?.note ?? '', subject).not.toMatch(new RegExp(notNote));
          }
          if (want.only)
            expect(result.evidence.map((e) => e.subject)).toEqual(want.evidence.map((e) => e[0]));
          for (const [subject, pattern] of Object.entries(want.notes ?? {})) {
            expect(result.evidence.find((e) => e.subject === subject)?.note ?? '').toMatch(
              new RegExp(pattern),
            );
          }
          for (const [subject, pattern] of Object.entries(want.observed ?? {})) {
            expect(String(result.evidence.find((e) => e.subject === subject)?.observed)).toMatch(
              new RegExp(pattern),
            );
          }
        });
      }
    }
  }
});
