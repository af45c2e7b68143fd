import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { runCheck } from '../../src/core/engine.js';
import { type CheckExample, checkPage, checkPagePath } from '../../src/reporters/check-page.js';
import { factsOf, fixturesOf } from '../support/fixtures.js';

// The pages in docs/checks are generated from the definitions and each check's fixtures.
// `npm run pages` (STRISK_WRITE_PAGES=1) writes them; otherwise this test fails when one is stale,
// missing, or left over from a check that no longer exists.
const ROOT = resolve(import.meta.dirname, '../..');
const WRITE = process.env.STRISK_WRITE_PAGES === '1';

async function examplesOf(id: string) {
  const check = CHECKS.find((c) => c.id === id)!;
  const fixtures = fixturesOf(id).sort((a, b) => a.name.localeCompare(b.name));
  const pick = async (statuses: string[]): Promise<CheckExample | undefined> => {
    for (const status of statuses) {
      const f = fixtures.find((x) => x.expected === status);
      if (f) return { fixture: f.name, result: runCheck(check, await factsOf(f), { now: () => 0 }) };
    }
    return undefined;
  };
  return { pass: await pick(['pass']), fail: await pick(['fail', 'warn']) };
}

function pagesOnDisk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? pagesOnDisk(path) : name.endsWith('.md') ? [path] : [];
  });
}

describe('check pages', () => {
  it.each(CHECKS.map((c) => [c.id, c] as const))('%s has its generated page', async (id, def) => {
    const page = checkPage(def, await examplesOf(id));
    const file = join(ROOT, checkPagePath(id));
    if (WRITE) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, page);
    }
    expect(existsSync(file), `${checkPagePath(id)} is missing: npm run pages`).toBe(true);
    expect(readFileSync(file, 'utf8'), `${checkPagePath(id)} is stale: npm run pages`).toBe(page);
    expect(page).toContain(`**Passes when:** ${def.title}`);
    expect(page).toContain(def.description);
  });

  it('no page without a check', () => {
    const ids = new Set(CHECKS.map((c) => c.id));
    const extra = pagesOnDisk(join(ROOT, 'docs/checks'))
      .map((p) => relative(join(ROOT, 'docs/checks'), p).replace(/\.md$/, ''))
      .filter((id) => !ids.has(id));
    expect(extra).toEqual([]);
  });
});
