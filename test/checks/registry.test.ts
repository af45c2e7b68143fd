import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { CATALOGUE } from '../../src/core/catalogue.js';
import { SOURCE_NAMES } from '../../src/core/facts.js';
import { fixturesOf } from '../support/fixtures.js';

const CHECKS_DIR = resolve(import.meta.dirname, '../../src/checks');

describe('check registry', () => {
  it('is sorted by id and has no duplicates', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('registers every check file, and every check lives in the file its id names', async () => {
    for (const source of readdirSync(CHECKS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const file of readdirSync(join(CHECKS_DIR, source.name)).filter((f) => f.endsWith('.ts'))) {
        const mod = await import(join(CHECKS_DIR, source.name, file));
        const def = mod.default;
        if (!def || typeof def.run !== 'function') continue; // a helper module, not a check
        expect(def.id).toBe(`${source.name}/${file.replace(/\.ts$/, '')}`);
        expect(CHECKS).toContain(def);
      }
    }
  });

  describe.each(CHECKS.map((c) => [c.id, c] as const))('%s', (id, check) => {
    it('is in the catalogue with the same seedRef and kind', () => {
      const entry = CATALOGUE.find((e) => e.id === id);
      expect(entry, `${id} is not in src/core/catalogue.ts`).toBeDefined();
      expect(check.seedRef).toBe(entry!.seedRef);
      expect(check.kind).toBe(entry!.kind);
    });
    it('is documented', () => {
      expect(id).toMatch(/^[a-z0-9]+\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(check.title.length).toBeGreaterThan(5);
      expect(check.failureTitle.length).toBeGreaterThan(5);
      expect(check.description.length).toBeGreaterThan(40);
      expect(check.description).toMatch(/https:\/\//);
      for (const s of [...check.requires, ...(check.optional ?? [])]) expect(SOURCE_NAMES).toContain(s);
    });
    it('has its options default to valid values', () => {
      expect(check.options.safeParse({}).success).toBe(true);
    });
    it('has at least one passing and one failing fixture', () => {
      const expected = fixturesOf(id).map((f) => f.expected);
      expect(expected).toContain('pass');
      expect(expected.some((s) => s === 'fail' || s === 'warn')).toBe(true);
    });
  });
});
