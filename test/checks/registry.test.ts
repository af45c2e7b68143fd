import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import builtins from '../../src/checks/index.js';
import { ROADMAP, SECTIONS, sectionOf } from '../../src/core/catalogue.js';
import { API_VERSION } from '../../src/core/check.js';
import { validatePlugin } from '../../src/core/registry.js';
import { SOURCE_NAMES } from '../../src/core/facts.js';
import { fixturesOf } from '../support/fixtures.js';
import { MANIFEST } from '../../src/checks/manifest.js';
import { builtinListing, catalogueRows } from '../../src/cli/checks-list.js';
import { loadRegistry } from '../../src/core/plugins.js';

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

  it('is the built-in plugin: loaded through the same validation as a user plugin', () => {
    expect(builtins.apiVersion).toBe(API_VERSION);
    expect(builtins.checks).toBe(CHECKS);
    const loaded = validatePlugin(builtins, { label: 'strisk' }, new Map(), true);
    expect(loaded.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
  });

  it('has a manifest in step with the definitions (npm run registry writes it)', () => {
    const FIELDS = ['id', 'title', 'kind', 'seedRef', 'section', 'severity', 'requires', 'optional'] as const;
    const fromDefinitions = CHECKS.map((c) =>
      Object.fromEntries(FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]])),
    );
    expect(MANIFEST).toEqual(fromDefinitions);
  });

  it('lists the same catalogue from the manifest as from the loaded built-ins', async () => {
    const loaded = await loadRegistry([]);
    expect(catalogueRows(builtinListing())).toEqual(catalogueRows(loaded));
    expect(builtinListing().sections).toEqual(loaded.sections);
  });

  it('needs nothing but the check file and its fixtures: no other file names a check', () => {
    // Adding a built-in check is one file plus its fixtures (and `npm run registry`, generated):
    // the catalogue holds only section order and roadmap items, so no other source names an id.
    const catalogue = readFileSync(resolve(CHECKS_DIR, '../core/catalogue.ts'), 'utf8');
    for (const c of CHECKS)
      expect(catalogue, `${c.id} is named in src/core/catalogue.ts`).not.toContain(`'${c.id}'`);
  });

  describe.each(CHECKS.map((c) => [c.id, c] as const))('%s', (id, check) => {
    it('is in a checklist section, from its seedRef or its own section', () => {
      expect(SECTIONS.map((x) => x.name)).toContain(sectionOf(check));
      expect(
        ROADMAP.map((e) => e.id),
        `${id} is implemented: drop it from ROADMAP`,
      ).not.toContain(id);
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
