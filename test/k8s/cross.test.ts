// Checks of other sources that read a size from the manifests: Redis maxmemory against the redis
// container's memory limit (recorded live Redis facts plus manifests collected from files).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { collectK8s } from '../../src/collectors/k8s/index.js';
import { runCheck } from '../../src/core/engine.js';
import { FactsSchema, type TargetFacts } from '../../src/core/facts.js';

const REDIS_FACTS = resolve(import.meta.dirname, '../../fixtures/checks/redis/maxmemory/success.facts.json');

async function withManifest(limit: string) {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-k8s-cross-'));
  mkdirSync(join(dir, 'k8s'));
  writeFileSync(
    join(dir, 'k8s', 'redis.yaml'),
    `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.2
          resources:
            requests: {cpu: 250m, memory: ${limit}}
            limits: {cpu: "1", memory: ${limit}}
`,
  );
  const facts = FactsSchema.parse(JSON.parse(readFileSync(REDIS_FACTS, 'utf8')));
  facts.sources.k8s = (await collectK8s({ projectDir: dir, env: {} })) as TargetFacts[];
  return facts;
}

describe('redis/maxmemory with manifests', () => {
  const check = CHECKS.find((c) => c.id === 'redis/maxmemory')!;
  it('judges maxmemory (64 MiB here) against the redis container limit of the manifests', async () => {
    const tight = runCheck(check, await withManifest('64Mi'));
    expect(tight.status).toBe('fail');
    expect(tight.evidence[0]?.expected).toMatch(
      /limits\.memory of StatefulSet redis \(k8s\/redis\.yaml:12\)/,
    );
    const roomy = runCheck(check, await withManifest('1Gi'));
    expect(roomy.status).toBe('pass');
  });
});
