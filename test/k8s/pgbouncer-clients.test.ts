// PgBouncer's max_client_conn against the connections the API can open at peak: the API's replicas
// (HPA maximum included) × workers × pool, read from the manifests first, else from compose — the
// computation postgres/connection-headroom uses. Recorded PgBouncer facts, and the live test server.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import { collectK8s } from '../../src/collectors/k8s/index.js';
import { collect as collectPgbouncer } from '../../src/collectors/pgbouncer/index.js';
import { runCheck } from '../../src/core/engine.js';
import { type Facts, FactsSchema, type TargetFacts } from '../../src/core/facts.js';
import { liveFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

const poolSize = CHECKS.find((c) => c.id === 'pgbouncer/pool-size')!;
const headroom = CHECKS.find((c) => c.id === 'postgres/connection-headroom')!;
// Recorded from the PgBouncer test server: max_client_conn 100, default_pool_size 25.
const PGB_FACTS = resolve(
  import.meta.dirname,
  '../../fixtures/checks/pgbouncer/pool-size/success.facts.json',
);
const PG_FACTS = resolve(
  import.meta.dirname,
  '../../fixtures/checks/postgres/connection-headroom/success.facts.json',
);

function apiManifest(maxReplicas: number, withBouncer = true): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.0
          command: ["gunicorn", "app.main:app", "-k", "uvicorn.workers.UvicornWorker", "--workers", "2"]
          env: [{name: DATABASE_URL, value: "postgresql://pgbouncer:6432/app"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: ${maxReplicas}
${
  withBouncer
    ? `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pgbouncer}
spec:
  template:
    spec:
      containers:
        - name: pgbouncer
          image: edoburu/pgbouncer:1.18.0
          ports: [{containerPort: 6432}]
`
    : ''
}`;
}

async function withManifests(facts: Facts, yaml: string): Promise<Facts> {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-k8s-pgb-'));
  mkdirSync(join(dir, 'k8s'));
  writeFileSync(join(dir, 'k8s', 'api.yaml'), yaml);
  facts.sources.k8s = (await collectK8s({ projectDir: dir, env: {} })) as TargetFacts[];
  return facts;
}

async function withCompose(facts: Facts, replicas: number): Promise<Facts> {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-compose-pgb-'));
  writeFileSync(
    join(dir, 'compose.yaml'),
    `services:
  api:
    image: example/api:1.0
    command: uvicorn app.main:app --host 0.0.0.0 --workers 4
    environment:
      DATABASE_URL: postgresql://app@pgbouncer:6432/app
    deploy:
      replicas: ${replicas}
  pgbouncer:
    image: edoburu/pgbouncer:1.18.0
`,
  );
  facts.sources.compose = (await collectCompose({ projectDir: dir, env: {} })) as TargetFacts[];
  return facts;
}

const recorded = (file: string) => FactsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

describe('pgbouncer/pool-size: client connections against max_client_conn', () => {
  it('counts the API at its HPA maximum × workers × pool from the manifests', async () => {
    // 4 × 2 × 10 = 80 of 100.
    const fits = runCheck(poolSize, await withManifests(recorded(PGB_FACTS), apiManifest(4)));
    expect(fits.status).toBe('pass');
    const client = fits.evidence.find((e) => e.subject.endsWith('max_client_conn'))!;
    expect(client).toMatchObject({ observed: 80, expected: '<= 100', status: 'pass' });
    expect(client.note).toMatch(
      /Kubernetes manifests: Deployment api: 4 replicas \(HPA api maxReplicas \(k8s\/api\.yaml:20\)\) × 2 workers \(command\) × 10 = 80/,
    );
    // 6 × 2 × 10 = 120: the sixth pod's clients are refused at peak.
    const peak = runCheck(poolSize, await withManifests(recorded(PGB_FACTS), apiManifest(6)));
    expect(peak.status).toBe('fail');
    expect(peak.message).toMatch(/the API can open 120 client connections, max_client_conn is 100/);
    expect(peak.remediation?.change).toMatch(/max_client_conn = 150/);
    // The pool size itself (25) still passes: only the client side fails.
    expect(peak.evidence[0]).toMatchObject({ observed: 25, status: 'pass' });
  });

  it('falls back to the compose file: deploy.replicas × workers × pool', async () => {
    const fits = runCheck(poolSize, await withCompose(recorded(PGB_FACTS), 2)); // 2 × 4 × 10 = 80
    expect(fits.status).toBe('pass');
    const over = runCheck(poolSize, await withCompose(recorded(PGB_FACTS), 3)); // 120
    expect(over.status).toBe('fail');
    expect(over.evidence.find((e) => e.subject.endsWith('max_client_conn'))?.note).toMatch(
      /compose file: service api: 3 replicas \(compose\.yaml:\d+\) × 4 workers \(command\) × 10 = 120/,
    );
  });

  it('prefers the manifests when both describe the deployment, and judges nothing without either', async () => {
    const both = await withCompose(await withManifests(recorded(PGB_FACTS), apiManifest(4)), 3);
    const r = runCheck(poolSize, both);
    expect(r.status).toBe('pass');
    expect(r.evidence.find((e) => e.subject.endsWith('max_client_conn'))?.observed).toBe(80);
    const alone = runCheck(poolSize, recorded(PGB_FACTS));
    expect(alone.evidence.some((e) => e.subject.endsWith('max_client_conn'))).toBe(false);
  });

  it('connection-headroom uses the same demand from compose when no PgBouncer runs', async () => {
    const facts = recorded(PG_FACTS);
    const dir = mkdtempSync(join(tmpdir(), 'strisk-compose-pg-'));
    writeFileSync(
      join(dir, 'compose.yaml'),
      `services:
  api:
    image: example/api:1.0
    command: uvicorn app.main:app --workers 4
    environment: {DATABASE_URL: "postgresql://app@db/app"}
    deploy: {replicas: 3}
`,
    );
    facts.sources.compose = (await collectCompose({ projectDir: dir, env: {} })) as TargetFacts[];
    const r = runCheck(headroom, facts); // 3 × 4 × 10 = 120 > 97 available
    expect(r.status).toBe('fail');
    expect(r.evidence[0]?.note).toMatch(/service api: 3 replicas .* × 4 workers \(command\) × 10 = 120/);
    // Behind the manifests' PgBouncer the server sees PgBouncer's pools, not the app's: the options.
    const behind = await withManifests(recorded(PG_FACTS), apiManifest(10));
    expect(runCheck(headroom, behind).evidence[0]?.note).toMatch(/4 workers × 1 replicas × \(pool 10/);
  });
});

describe('pgbouncer/pool-size against the live PgBouncer', () => {
  it('reads max_client_conn from the server and judges the manifests against it', async () => {
    const live = await collectPgbouncer(
      { url: requireService('STRISK_TEST_PGBOUNCER') },
      { timeoutMs: 3000, projectDir: '.' },
    );
    expect(live.status, live.message).toBe('ok');
    const max = Number(live.data!.config.max_client_conn);
    expect(max).toBeGreaterThan(0);
    // Replicas at which 2 workers × 10 per pod first exceed the server's max_client_conn.
    const over = Math.floor(max / 20) + 1;
    const fail = runCheck(poolSize, await withManifests(liveFacts({ pgbouncer: [live] }), apiManifest(over)));
    const client = fail.evidence.find((e) => e.subject.endsWith('max_client_conn'))!;
    expect(client).toMatchObject({ observed: over * 20, expected: `<= ${max}`, status: 'fail' });
    expect(fail.status).toBe('fail');
    const under = Math.max(1, Math.floor(max / 20));
    const pass = runCheck(
      poolSize,
      await withManifests(liveFacts({ pgbouncer: [live] }), apiManifest(under)),
    );
    expect(pass.evidence.find((e) => e.subject.endsWith('max_client_conn'))?.status).toBe('pass');
  }, 20_000);
});
