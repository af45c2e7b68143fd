import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { collectApp } from '../../src/collectors/app/index.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import type { Facts, TargetFacts } from '../../src/core/facts.js';
import { emptyFacts, projectOf } from '../support/fixtures.js';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Facts of an app project directory: the app source, its compose file, a 2-core machine. */
export async function appFacts(dir: string, extra: Partial<Facts['sources']> = {}): Promise<Facts> {
  const facts = emptyFacts('.');
  facts.machine = { cpus: 2 };
  const data = await collectApp(dir);
  facts.sources.app = [{ target: 'app', status: 'ok', durationMs: 0, data } as TargetFacts];
  const compose = await collectCompose({ projectDir: dir, env: {} });
  if (compose.length > 0)
    facts.sources.compose = compose.map((t) => ({ ...t, durationMs: 0 })) as TargetFacts[];
  Object.assign(facts.sources, extra);
  return facts;
}

/**
 * Fixtures of the app checks: `fixtures/checks/app/<noun>/<name>/`, or `<name>.project` naming a
 * shared project (fixtures/app/good, fixtures/app/bad); `snapshot` is the `<name>.facts.json` beside it.
 */
export function appFixtureDirs(): { id: string; name: string; dir: string; snapshot: string }[] {
  const base = join(ROOT, 'fixtures/checks/app');
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((noun) =>
    readdirSync(join(base, noun), { withFileTypes: true }).flatMap((d) => {
      const at = join(base, noun, d.name);
      if (d.isDirectory())
        return [{ id: `app/${noun}`, name: d.name, dir: at, snapshot: `${at}.facts.json` }];
      if (!d.name.endsWith('.project')) return [];
      const name = d.name.slice(0, -'.project'.length);
      return [
        { id: `app/${noun}`, name, dir: projectOf(at), snapshot: join(base, noun, `${name}.facts.json`) },
      ];
    }),
  );
}
