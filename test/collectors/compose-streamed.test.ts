// One compose file read a service at a time (loadStreamed) must give what the whole-file path
// (loadResolved) gives — the same services, the same unresolved references in the same order, the
// same top-level model — or decline (undefined), so that the collector takes the whole-file path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCompose } from '../../src/collectors/compose/index.js';
import type { UnresolvedAt } from '../../src/collectors/compose/interpolate.js';
import {
  type LoadContext,
  loadResolved,
  loadStreamed,
  servicesOf,
} from '../../src/collectors/compose/load.js';
import { normalizeService } from '../../src/collectors/compose/normalize.js';
import type { LEntry, LMap } from '../../src/collectors/compose/yaml-located.js';
import { InputError } from '../../src/core/errors.js';
import { composeFilesUnder } from '../support/fixtures.js';

const env: Record<string, string> = { TAG: '2.0', DB_PASSWORD: 'x', POSTGRES_HOST: 'db' };
const context = (projectDir: string): LoadContext => ({
  projectDir,
  lookup: (n) => env[n],
  unresolved: [],
  cache: new Map(),
  maxBytes: 64 * 2 ** 20,
});
const once = (us: UnresolvedAt[]) => [
  ...new Map(us.map((u) => [`${u.variable}|${u.file}|${u.line}`, u])).values(),
];
const plain = (m: LMap) => {
  const entries = new Map(m.entries);
  entries.delete('services');
  return JSON.parse(JSON.stringify([...entries], (_k, v) => (v instanceof Map ? [...v] : v))) as unknown;
};

describe('compose files collected a service at a time', () => {
  it('every compose file in the fixtures and examples streams to the whole-file result, or declines', async () => {
    const files = [
      ...composeFilesUnder(path.resolve('fixtures')),
      ...composeFilesUnder(path.resolve('examples')),
    ];
    let streamedFiles = 0;
    for (const file of files) {
      const dir = path.dirname(file);
      const streamed: LEntry[] = [];
      const a = context(dir);
      let model: LMap | undefined;
      try {
        model = await loadStreamed(file, a, (e) => streamed.push(e));
      } catch {
        model = undefined;
      }
      if (!model) continue;
      streamedFiles++;
      const b = context(dir);
      const whole = await loadResolved(file, b);
      expect(streamed.map(normalizeService), file).toEqual(
        [...servicesOf(whole).values()].map(normalizeService),
      );
      expect(once(a.unresolved), file).toEqual(once(b.unresolved));
      expect(plain(model), file).toEqual(plain(whole));
    }
    expect(streamedFiles).toBeGreaterThan(100);
  });

  it('an error after a streamed service is reported as the whole-file path reports it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strisk-streamed-'));
    try {
      // A service that normalisation refuses, then a YAML error: the YAML error wins, as it always did.
      writeFileSync(
        path.join(dir, 'compose.yaml'),
        'services:\n  a:\n    image: x\n  b:\n    healthcheck: 5\n  c:\n    image: "y\n',
      );
      const err = await collectCompose({ projectDir: dir, env: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).line).toBe(7);
      expect((err as InputError).message).toMatch(/^invalid YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
