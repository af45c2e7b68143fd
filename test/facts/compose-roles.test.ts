// Roles on real public compose stacks (fixtures/compose/roles/*/, each with PROVENANCE and an
// expected.json judged by hand), then each signal on its own.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import healthcheck from '../../src/checks/compose/healthcheck.js';
import namedVolumes from '../../src/checks/compose/named-volumes.js';
import readOnlyRootfs from '../../src/checks/compose/read-only-rootfs.js';
import restartPolicy from '../../src/checks/compose/restart-policy.js';
import startupOrder from '../../src/checks/compose/startup-order.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import type { ComposeFacts, ComposeService } from '../../src/collectors/compose/schema.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts } from '../../src/core/facts.js';
import {
  explainRoles,
  imageRole,
  oneShotReason,
  projectRoles,
  redisPersistenceOff,
  serviceRole,
} from '../../src/facts/compose-roles.js';
import { composeProject, composeService } from '../support/fixtures.js';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/compose/roles');
const CHECKS: Record<string, CheckDefinition> = Object.fromEntries(
  [healthcheck, namedVolumes, readOnlyRootfs, restartPolicy, startupOrder].map((c) => [c.id, c]),
);

interface Expected {
  /** Compose files merged in this order, when not the default one. */
  files?: string[];
  roles: Record<string, { role?: string; from: string; oneShot?: boolean }>;
  checks: Record<string, string>;
  services?: Record<string, Record<string, string>>;
}

function factsOf(data: ComposeFacts, roles: Record<string, string> = {}): Facts {
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0' },
    collectedAt: '2026-01-01T00:00:00Z',
    durationMs: 0,
    projectDir: '.',
    machine: {},
    roles,
    sources: { compose: [{ target: data.files[0] ?? 'compose', status: 'ok', durationMs: 0, data }] },
  };
}

async function load(dir: string, files?: string[]): Promise<ComposeFacts> {
  const [target] = await collectCompose({ projectDir: dir, ...(files ? { files } : {}) });
  expect(target?.status, target?.message).toBe('ok');
  return target!.data as ComposeFacts;
}

describe('roles and verdicts on real compose stacks', () => {
  const stacks = readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory());
  it('has stacks, each with provenance and hand-judged expectations', () => {
    expect(stacks.length).toBeGreaterThanOrEqual(10);
    for (const s of stacks) {
      const prov = readFileSync(path.join(DIR, s.name, 'PROVENANCE'), 'utf8');
      expect(prov).toMatch(/^repository: /m);
      expect(prov).toMatch(/^licence: /m);
    }
  });

  for (const stack of stacks) {
    it(`${stack.name}: role and reason per service, verdict per check`, async () => {
      const dir = path.join(DIR, stack.name);
      const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
      const data = await load(dir, expected.files);
      const roles = projectRoles(data, {});
      expect(data.services.map((s) => s.name).sort()).toEqual(Object.keys(expected.roles).sort());
      for (const s of data.services) {
        const want = expected.roles[s.name]!;
        const got = roles.get(s.name)!;
        expect({ service: s.name, role: got.role, from: got.from }).toEqual({
          service: s.name,
          role: want.role,
          from: want.from,
        });
        // Every inferred role names the value that told it and where it is written.
        if (got.role) {
          expect(got.value, s.name).toBeTruthy();
          expect(got.line, s.name).toBeGreaterThan(0);
        }
        expect(oneShotReason(s, {}, data) !== undefined, `${s.name} one-shot`).toBe(want.oneShot ?? false);
      }
      const facts = factsOf(data);
      for (const [id, status] of Object.entries(expected.checks)) {
        const r = runCheck(CHECKS[id]!, facts);
        expect({ id, status: r.status, message: r.message }).toMatchObject({ id, status });
        for (const [service, want] of Object.entries(expected.services?.[id] ?? {})) {
          const e = r.evidence.find((x) => x.subject.startsWith(`service ${service}`));
          expect({ id, service, status: e?.status }).toEqual({ id, service, status: want });
        }
      }
    });
  }

  it('a role in the config wins over every guess, and the explanation says so', async () => {
    const data = await load(path.join(DIR, 'immich'));
    const roles = { 'immich-machine-learning': 'worker' };
    expect(serviceRole(data.services[1]!, roles, data)).toMatchObject({ role: 'worker', from: 'config' });
    const explained = explainRoles(data, roles);
    expect(explained.find((e) => e.service === 'immich-machine-learning')?.reason).toBe(
      'roles.immich-machine-learning: worker',
    );
    expect(explained.find((e) => e.service === 'database')).toMatchObject({
      role: 'postgres',
      from: 'image',
      file: 'docker-compose.yml',
    });
  });
});

// ---- each signal on its own ----

let line = 1;
const at = <T>(value: T) => ({ value, file: 'compose.yaml', line: line++ });
const svc = (name: string, over: Partial<ComposeService> = {}): ComposeService =>
  composeService(name, { line: line++, ...over });
const project = (services: ComposeService[]): ComposeFacts => composeProject(services);
const roleOf = (services: ComposeService[], name: string) => projectRoles(project(services), {}).get(name);
const dep = (service: string, condition = 'service_started') => ({
  service,
  condition,
  file: 'compose.yaml',
  line: line++,
});
const health = (test: string | string[]) => ({
  file: 'compose.yaml',
  line: line++,
  disabled: false,
  test: at(test),
});

describe('role signals', () => {
  it.each([
    ['postgres:16-alpine', 'postgres'],
    ['ghcr.io/immich-app/postgres:14-vectorchord0.4.3', 'postgres'],
    ['acme/billing-postgres:2', 'postgres'],
    ['postgis/postgis:16-3.4', 'postgres'],
    ['timescale/timescaledb-ha:pg16', 'postgres'],
    ['pgvector/pgvector:pg16', 'postgres'],
    ['tensorchord/pgvecto-rs:pg16-v0.2.0', 'postgres'],
    ['bitnami/postgresql:16', 'postgres'],
    ['getlago/postgres-partman:15.0-alpine', 'postgres'],
    ['valkey/valkey:8', 'redis'],
    ['eqalpha/keydb:latest', 'redis'],
    ['docker.dragonflydb.io/dragonflydb/dragonfly', 'redis'],
    ['redis/redis-stack-server:7.2.0-v10', 'redis'],
    ['bitnami/redis:7.2', 'redis'],
    ['clickhouse/clickhouse-server:24.8', 'clickhouse'],
    ['mher/flower:2.0', 'admin-ui'],
    ['provectuslabs/kafka-ui:latest', 'admin-ui'],
    ['edoburu/pgbouncer:1.22.1', 'pgbouncer'],
    ['bitnami/pgbouncer:1', 'pgbouncer'],
    ['supabase/supavisor:2.7.4', 'pgbouncer'],
    ['quay.io/prometheuscommunity/postgres-exporter:v0.15.0', 'monitoring'],
    ['oliver006/redis_exporter', 'monitoring'],
    ['grafana/grafana:11', 'monitoring'],
    ['gcr.io/cadvisor/cadvisor:v0.49.1', 'monitoring'],
    ['dpage/pgadmin4:8', 'admin-ui'],
    ['adminer', 'admin-ui'],
    ['rediscommander/redis-commander', 'admin-ui'],
    ['redis/redisinsight:latest', 'admin-ui'],
    ['axllent/mailpit', 'mail'],
    ['mailhog/mailhog', 'mail'],
    ['traefik:v3.1', 'proxy'],
    ['caddy:2', 'proxy'],
    ['haproxy:2.9', 'proxy'],
    ['envoyproxy/envoy:v1.31-latest', 'proxy'],
    ['minio/minio:latest', 'object-storage'],
    ['asonix/pictrs:0.5', 'object-storage'],
    ['darthsim/imgproxy:v3.8.0', 'proxy'],
    ['ollama/ollama', 'model-server'],
    ['gotenberg/gotenberg:8', 'other'],
    ['getlago/lago-gotenberg:7.8.2', 'other'],
    ['apache/tika:2.9.2.1', 'other'],
    ['ghcr.io/browserless/chromium', 'other'],
    ['vllm/vllm-openai:v0.6.0', 'model-server'],
    ['rabbitmq:3-management', 'queue'],
    ['confluentinc/cp-kafka:7.6.0', 'queue'],
    ['nats:2', 'queue'],
    ['docker.elastic.co/elasticsearch/elasticsearch:8.14.0', 'search'],
    ['getmeili/meilisearch:v1.8', 'search'],
    ['mysql:8', 'mysql'],
    ['mariadb:11', 'mysql'],
    ['mongo:7', 'mongodb'],
  ])('image %s is %s', (image, role) => {
    expect(imageRole(image)).toBe(role);
  });

  it.each([
    'ghcr.io/acme/api:1',
    'python:3.12-slim',
    'node:20',
    'alpine:3',
    'acme/pg-report:2',
    // Clients named after the database they use are not that database.
    'supabase/postgres-meta:v0.95.2',
    'acme/redis-sync:1',
    // A database vendor's namespace also holds its clients.
    'timescale/pgai-vectorizer-worker:v0.3.0',
    // An application's own exporter (PDF/image export), not a Prometheus exporter.
    'penpotapp/exporter:2.16',
  ])('image %s is no known infrastructure', (image) => {
    expect(imageRole(image)).toBeUndefined();
  });

  it('reads the healthcheck, the server environment and ports of a custom image', () => {
    const a = svc('a', {
      build: { context: './db', file: 'compose.yaml', line: 1 },
      healthcheck: health('pg_isready -U app'),
    });
    const b = svc('b', { image: at('acme/cache:1'), healthcheck: health(['CMD', 'valkey-cli', 'ping']) });
    const c = svc('c', { image: at('acme/store:1'), environment: { PGDATA: at('/pgdata') } });
    const d = svc('d', {
      image: at('acme/olap:1'),
      ports: [{ container: 8123, published: true, file: 'compose.yaml', line: 9 }],
    });
    const services = [a, b, c, d];
    expect(roleOf(services, 'a')).toMatchObject({
      role: 'postgres',
      from: 'healthcheck',
      value: 'healthcheck pg_isready',
    });
    expect(roleOf(services, 'b')).toMatchObject({ role: 'redis', from: 'healthcheck' });
    expect(roleOf(services, 'c')).toMatchObject({
      role: 'postgres',
      from: 'environment',
      value: 'environment PGDATA',
    });
    expect(roleOf(services, 'd')).toMatchObject({
      role: 'clickhouse',
      from: 'ports',
      value: 'port 8123',
      line: 9,
    });
  });

  it('POSTGRES_* on a client is not a server', () => {
    const db = svc('db', { image: at('postgres:16') });
    const app = svc('app', {
      image: at('acme/app:1'),
      environment: { POSTGRES_PASSWORD: at('***'), POSTGRES_HOST: at('db') },
    });
    expect(roleOf([db, app], 'app')).toMatchObject({ role: 'app', from: 'environment' });
    // A built Spring backend with only POSTGRES_DB, serving on 8080: a client, not a server.
    const backend = svc('backend', {
      build: { context: 'backend', file: 'compose.yaml', line: 1 },
      environment: { POSTGRES_DB: at('example') },
      ports: [{ container: 8080, published: true, file: 'compose.yaml', line: 3 }],
    });
    expect(roleOf([db, backend], 'backend')).toMatchObject({ role: 'app', from: 'build' });
    // The same variables on a built image that serves nothing else are still the server's.
    const custom = svc('db_test', {
      build: { context: './pg_custom', file: 'compose.yaml', line: 1 },
      environment: { POSTGRES_USER: at('u'), POSTGRES_PASSWORD: at('p') },
    });
    expect(roleOf([custom], 'db_test')).toMatchObject({ role: 'postgres', from: 'environment' });
    // A proxy built in the project from a directory named after it.
    const nginx = svc('nginx', {
      build: { context: './nginx', file: 'compose.yaml', line: 1 },
      ports: [{ container: 80, published: true, file: 'compose.yaml', line: 2 }],
      dependsOn: [dep('backend')],
    });
    expect(roleOf([db, backend, nginx], 'nginx')).toMatchObject({ role: 'proxy', from: 'build' });
  });

  it('apps in any language by command, by dependency, by labels, by build', () => {
    const db = svc('db', { image: at('postgres:16') });
    const services = [
      db,
      svc('go', { image: at('scratch'), command: at(['/app/server']) }),
      svc('java', { image: at('eclipse-temurin:21'), command: at('java -Xmx512m -jar /app.jar') }),
      svc('phx', { image: at('elixir:1.17'), command: at('mix phx.server') }),
      svc('uses-db', { image: at('alpine:3'), dependsOn: [dep('db')] }),
      svc('routed', { image: at('alpine:3'), labels: { 'traefik.http.routers.web.rule': 'Host(`x`)' } }),
      svc('built', { build: { context: '.', file: 'compose.yaml', line: 1 } }),
      svc('plain', { image: at('alpine:3') }),
    ];
    expect(roleOf(services, 'go')).toMatchObject({ role: 'app', from: 'command' });
    expect(roleOf(services, 'java')).toMatchObject({ role: 'app', from: 'command' });
    expect(roleOf(services, 'phx')).toMatchObject({ role: 'app', from: 'command' });
    expect(roleOf(services, 'uses-db')).toMatchObject({
      role: 'app',
      from: 'depends_on',
      value: 'depends_on db',
    });
    expect(roleOf(services, 'routed')).toMatchObject({ role: 'app', from: 'labels' });
    expect(roleOf(services, 'built')).toMatchObject({ role: 'app', from: 'build' });
    expect(roleOf(services, 'plain')).toMatchObject({ from: 'none' });
    expect(roleOf(services, 'plain')?.role).toBeUndefined();
  });
});

describe('one-shot jobs by behaviour', () => {
  it('a long-running service with a healthcheck is never a job, whatever its command says', () => {
    const s = svc('setup', {
      image: at('acme/es-setup:1'),
      command: at('bash -c "./setup.sh && exec sleep infinity"'),
      healthcheck: health('test -f /ready'),
    });
    expect(oneShotReason(s, {}, project([s]))).toBeUndefined();
  });

  it('a command whose last step exits is a job; one that then serves is not', () => {
    const migrate = svc('db-migrate', {
      build: { context: '.', file: 'compose.yaml', line: 1 },
      command: at('npx prisma migrate deploy'),
    });
    const both = svc('api', {
      build: { context: '.', file: 'compose.yaml', line: 1 },
      command: at('sh -c "alembic upgrade head && uvicorn app:app"'),
    });
    const mc = svc('buckets', {
      image: at('minio/mc'),
      entrypoint: at('/bin/sh -c "mc alias set s3 http://minio:9000 a b; mc mb -p s3/data; exit 0;"'),
    });
    const p = project([migrate, both, mc]);
    expect(oneShotReason(migrate, {}, p)).toMatch(/prisma migrate deploy/);
    expect(oneShotReason(both, {}, p)).toBeUndefined();
    expect(oneShotReason(mc, {}, p)).toMatch(/exit 0/);
    const script = svc('seed', { image: at('node:20'), command: at('node scripts/migrate.js') });
    expect(oneShotReason(script, {}, project([script]))).toMatch(/node scripts\/migrate\.js/);
    const server = svc('web', { image: at('node:20'), command: at('node server.js') });
    expect(oneShotReason(server, {}, project([server]))).toBeUndefined();
  });

  it('a test runner is a job: by its name, or by the Dockerfile it is built from when compose gives no command', () => {
    const byDockerfile = svc('ui-checks', {
      build: { context: '.', dockerfile: 'frontend/Dockerfile.playwright', file: 'compose.yaml', line: 1 },
      dependsOn: [dep('backend')],
    });
    const byName = svc('e2e', { image: at('acme/app:1') });
    const served = svc('web', {
      build: { context: '.', dockerfile: 'Dockerfile.test', file: 'compose.yaml', line: 1 },
      command: at('node server.js'),
    });
    const kept = svc('tests', { image: at('acme/app:1'), restart: at('unless-stopped') });
    const p = project([byDockerfile, byName, served, kept]);
    expect(oneShotReason(byDockerfile, {}, p)).toBe(
      'restart not set, no healthcheck, no command, and built from Dockerfile.playwright',
    );
    expect(oneShotReason(byName, {}, p)).toMatch(/named "e2e"/);
    expect(oneShotReason(served, {}, p)).toBeUndefined();
    expect(oneShotReason(kept, {}, p)).toBeUndefined();
  });

  it('restart always keeps a migration-looking service long-running; service_completed_successfully makes a job', () => {
    const a = svc('migrate', { command: at('alembic upgrade head'), restart: at('always') });
    const b = svc('prepare', { image: at('acme/tools:1'), command: at('./prepare') });
    const c = svc('api', {
      image: at('acme/api:1'),
      dependsOn: [dep('prepare', 'service_completed_successfully')],
    });
    const p = project([a, b, c]);
    expect(oneShotReason(a, {}, p)).toBeUndefined();
    expect(oneShotReason(b, {}, p)).toBe('api waits for it with service_completed_successfully');
  });

  it('an infrastructure or database image whose command exits is a job; the same image serving is not (SigNoz)', () => {
    const migrator = svc('telemetrystore-migrator', {
      image: at('signoz/signoz-otel-collector:v0.144.2'),
      entrypoint: at(['/bin/sh']),
      command: at([
        '-c',
        '/signoz-otel-collector migrate bootstrap &&\n/signoz-otel-collector migrate sync up\n',
      ]),
      restart: at('on-failure'),
    });
    const collector = svc('otel-collector', {
      image: at('signoz/signoz-otel-collector:v0.144.2'),
      command: at([
        '-c',
        '/signoz-otel-collector migrate sync check && /signoz-otel-collector --config=/etc/c.yaml',
      ]),
    });
    const schema = svc('ch-schema', {
      image: at('clickhouse/clickhouse-server:25.5'),
      command: at('clickhouse-client --host ch --query "CREATE DATABASE x"'),
    });
    const server = svc('clickhouse', { image: at('clickhouse/clickhouse-server:25.5') });
    const kept = svc('migrator-kept', { ...migrator, name: 'migrator-kept', restart: at('unless-stopped') });
    const p = project([migrator, collector, schema, server, kept]);
    expect(oneShotReason(migrator, {}, p)).toBe(
      'restart on-failure and its command ends with "/signoz-otel-collector migrate sync up"',
    );
    expect(oneShotReason(schema, {}, p)).toMatch(/clickhouse-client/);
    expect(oneShotReason(collector, {}, p)).toBeUndefined();
    expect(oneShotReason(server, {}, p)).toBeUndefined();
    expect(oneShotReason(kept, {}, p)).toBeUndefined();
  });
});

describe('Redis as a cache', () => {
  it('reads persistence off from the command or the Bitnami environment', () => {
    expect(redisPersistenceOff(svc('a', { command: at('redis-server --save "" --appendonly no') }))).toMatch(
      /--save ""/,
    );
    expect(redisPersistenceOff(svc('b', { command: at(['valkey-server', '--save', '']) }))).toMatch(
      /default/,
    );
    expect(
      redisPersistenceOff(svc('s', { command: at(['sh', '-c', "redis-server --save '' --appendonly no"]) })),
    ).toMatch(/--appendonly no/);
    expect(
      redisPersistenceOff(svc('c', { command: at('redis-server --save "" --appendonly yes') })),
    ).toBeUndefined();
    expect(redisPersistenceOff(svc('d', { command: at('redis-server --save 60 1') }))).toBeUndefined();
    expect(
      redisPersistenceOff(
        svc('e', { environment: { REDIS_RDB_POLICY_DISABLED: at('yes'), REDIS_AOF_ENABLED: at('no') } }),
      ),
    ).toMatch(/REDIS_AOF_ENABLED=no/);
  });

  it('named-volumes fails a persistent Redis on tmpfs and passes a cache on tmpfs', () => {
    const persistent = svc('r1', { image: at('redis:7'), tmpfs: ['/data'] });
    const cache = svc('r2', {
      image: at('redis:7'),
      tmpfs: ['/data'],
      command: at('redis-server --save ""'),
    });
    const r = runCheck(namedVolumes, factsOf(project([persistent, cache])));
    expect(r.status).toBe('fail');
    expect(r.evidence.find((e) => e.subject === 'service r1')?.status).toBe('fail');
    expect(r.evidence.find((e) => e.subject === 'service r2')?.status).toBe('pass');
  });
});

describe('startup-order judges every app that uses a database', () => {
  it('a worker next to the uvicorn API is judged; a frontend that reaches the database only through the backend is not', () => {
    const db = svc('db', { image: at('postgres:16'), healthcheck: health('pg_isready') });
    const api = svc('api', {
      build: { context: '.', file: 'compose.yaml', line: 1 },
      command: at('uvicorn app.main:app'),
      dependsOn: [dep('db', 'service_healthy')],
    });
    const worker = svc('worker', {
      build: { context: '.', file: 'compose.yaml', line: 1 },
      command: at('celery -A app worker'),
      dependsOn: [dep('db')],
    });
    const ui = svc('ui', { image: at('acme/ui:1'), dependsOn: [dep('api')] });
    const r = runCheck(startupOrder, factsOf(project([db, api, worker, ui])));
    const status = (s: string) => r.evidence.find((e) => e.subject === `service ${s} → db`)?.status;
    expect([status('api'), status('worker'), status('ui')]).toEqual(['pass', 'fail', 'info']);
    expect(r.status).toBe('fail');
  });
});

describe('the config decides', () => {
  it('a role in the config makes a service long-running, a job role makes it a job', () => {
    const s = svc('migrate', { command: at('alembic upgrade head'), restart: at('no') });
    const p = project([s]);
    expect(oneShotReason(s, {}, p)).toMatch(/alembic upgrade head/);
    expect(oneShotReason(s, { migrate: 'app' }, p)).toBeUndefined();
    expect(oneShotReason(svc('x', { image: at('postgres:16') }), { x: 'job' })).toBe(
      'role job in the config',
    );
  });
});

describe('custom database images built in the project', () => {
  it('a build named after a database, or a built image with server-only environment, is that database', () => {
    const b = (context: string, dockerfile?: string) => ({
      context,
      ...(dockerfile ? { dockerfile } : {}),
      file: 'compose.yaml',
      line: line++,
    });
    const services = [
      svc('db', { build: b('./docker/postgres') }),
      svc('cache', { build: b('.', 'docker/redis.Dockerfile') }),
      svc('store', {
        build: b('./store'),
        environment: { POSTGRES_PASSWORD: at('***'), POSTGRES_DB: at('app') },
      }),
      svc('api', { build: b('.'), dependsOn: [dep('db')], environment: { POSTGRES_PASSWORD: at('***') } }),
    ];
    expect(roleOf(services, 'db')).toMatchObject({
      role: 'postgres',
      from: 'build',
      value: 'build ./docker/postgres',
    });
    expect(roleOf(services, 'cache')).toMatchObject({ role: 'redis', from: 'build' });
    expect(roleOf(services, 'store')).toMatchObject({ role: 'postgres', from: 'environment' });
    expect(roleOf(services, 'api')).toMatchObject({ role: 'app', from: 'depends_on' });
  });
});

describe('ports in the compose model', () => {
  it('keeps the container side of published and exposed ports, with their lines', async () => {
    const data = await load(path.join(DIR, 'supabase'));
    const ports = (name: string) => data.services.find((s) => s.name === name)?.ports;
    // `${POSTGRES_PORT}:5432` and `${KONG_HTTP_PORT}:8000/tcp`, with the .env values filled in.
    expect(ports('supavisor')?.map((p) => p.container)).toEqual([5432, 6543]);
    expect(ports('kong')?.map((p) => [p.container, p.published])).toEqual([
      [8000, true],
      [8443, true],
    ]);
    expect(ports('kong')?.[0]?.line).toBeGreaterThan(0);
    expect(ports('db')).toEqual([]);
  });
});
