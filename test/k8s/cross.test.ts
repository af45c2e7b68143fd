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

describe('postgres/connection-headroom with manifests', () => {
  const check = CHECKS.find((c) => c.id === 'postgres/connection-headroom')!;
  const PG_FACTS = resolve(
    import.meta.dirname,
    '../../fixtures/checks/postgres/connection-headroom/success.facts.json',
  );
  async function withApi(maxReplicas: number) {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-k8s-conn-'));
    mkdirSync(join(dir, 'k8s'));
    writeFileSync(
      join(dir, 'k8s', 'api.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.0
          command: ["uvicorn", "app.main:app", "--workers", "2"]
          env: [{name: DATABASE_URL, value: "postgresql://db/app"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 3
  maxReplicas: ${maxReplicas}
`,
    );
    const facts = FactsSchema.parse(JSON.parse(readFileSync(PG_FACTS, 'utf8')));
    facts.sources.k8s = (await collectK8s({ projectDir: dir, env: {} })) as TargetFacts[];
    return facts;
  }

  it('counts the API replicas at the HPA maximum × workers × pool against max_connections', async () => {
    // 97 connections available (100 − 3 reserved); pool 10 per worker.
    const fits = runCheck(check, await withApi(4)); // 4 × 2 × 10 = 80: above 80% of 97, a warning
    expect(fits.status).toBe('warn');
    expect(fits.evidence[0]?.note).toMatch(
      /Deployment api: 4 replicas \(HPA api maxReplicas \(k8s\/api\.yaml:20\)\) × 2 workers \(command\) × 10 = 80/,
    );
    const peak = runCheck(check, await withApi(10)); // 10 × 2 × 10 = 200 > 97
    expect(peak.status).toBe('fail');
    expect(runCheck(check, await withApi(2)).status).toBe('pass'); // 40
  });
});
