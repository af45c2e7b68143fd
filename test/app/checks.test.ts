import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckDefinition, ResultStatus } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import { FactsSchema } from '../../src/core/facts.js';
import { appFacts, appFixtureDirs, ROOT } from './support.js';

const EXPECTED: Record<string, ResultStatus> = {
  success: 'pass',
  failure: 'fail',
  warning: 'warn',
  skip: 'skip',
};
const load = async (id: string) =>
  (await import(join(ROOT, 'src/checks', `${id}.ts`))).default as CheckDefinition;

// Each app fixture directory is collected for real and judged; its facts snapshot
// (`<name>.facts.json`, read by the shared fixtures test) must match what the collector makes now.
// STRISK_REGEN_FIXTURES=1 rewrites the snapshots.
describe.each(appFixtureDirs().map((f) => [`${f.id} ${f.name}`, f] as const))('%s', (_n, f) => {
  it('gets the status its name says, with evidence and a remediation', async () => {
    const facts = await appFacts(f.dir);
    for (const t of facts.sources.app ?? []) (t.data as { dir: string }).dir = '.';
    const result = runCheck(await load(f.id), facts);
    expect({ status: result.status, message: result.message }).toMatchObject({
      status: EXPECTED[f.name.split('-')[0]!],
    });
    if (result.status === 'fail' || result.status === 'warn') {
      expect(result.evidence.length).toBeGreaterThan(0);
      expect(result.remediation?.summary).toBeTruthy();
    }
    const { snapshot } = f;
    const json = `${JSON.stringify(facts, null, 1)}\n`;
    if (process.env.STRISK_REGEN_FIXTURES || !existsSync(snapshot)) writeFileSync(snapshot, json);
    expect(FactsSchema.parse(JSON.parse(readFileSync(snapshot, 'utf8')))).toEqual(
      FactsSchema.parse(JSON.parse(json)),
    );
  });
});
