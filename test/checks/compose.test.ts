import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import centralLogging from '../../src/checks/compose/central-logging.js';
import cpuLimit from '../../src/checks/compose/cpu-limit.js';
import healthcheck from '../../src/checks/compose/healthcheck.js';
import logRotation from '../../src/checks/compose/log-rotation.js';
import memoryLimit from '../../src/checks/compose/memory-limit.js';
import namedVolumes from '../../src/checks/compose/named-volumes.js';
import networkMode from '../../src/checks/compose/network-mode.js';
import readOnlyRootfs from '../../src/checks/compose/read-only-rootfs.js';
import restartPolicy from '../../src/checks/compose/restart-policy.js';
import startupOrder from '../../src/checks/compose/startup-order.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import type { ComposeFacts, ComposeService } from '../../src/collectors/compose/schema.js';
import { collectDockerfiles } from '../../src/collectors/dockerfile/index.js';
import { sectionOf } from '../../src/core/catalogue.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts } from '../../src/core/facts.js';
import { formatBytes, parseDockerSize } from '../../src/facts/common.js';
import { imageRepository, oneShotReason, serviceRole, workerCount } from '../../src/facts/compose.js';
import { composeProject, composeService } from '../support/fixtures.js';

const CHECKS: Record<string, CheckDefinition> = {
  'central-logging': centralLogging,
  'cpu-limit': cpuLimit,
  healthcheck,
  'log-rotation': logRotation,
  'memory-limit': memoryLimit,
  'named-volumes': namedVolumes,
  'network-mode': networkMode,
  'read-only-rootfs': readOnlyRootfs,
  'restart-policy': restartPolicy,
  'startup-order': startupOrder,
};

// ---- a small builder of compose facts ----

const F = 'compose.yaml';
let nextLine = 1;
const at = <T>(value: T, raw?: string) => ({
  value,
  file: F,
  line: nextLine++,
  ...(raw !== undefined ? { raw } : {}),
});
const hc = (interval?: number | null, raw?: string) => ({
  file: F,
  line: nextLine++,
  disabled: false,
  test: at(['CMD', 'true']),
  ...(interval !== undefined ? { intervalSeconds: at(interval, raw) } : {}),
});
const dep = (service: string, condition = 'service_healthy') => ({
  service,
  condition,
  file: F,
  line: nextLine++,
});
const vol = (type: string, target: string, source?: string) => ({
  type,
  source,
  target,
  file: F,
  line: nextLine++,
});

const svc = (name: string, over: Partial<ComposeService> = {}): ComposeService =>
  composeService(name, { file: F, line: nextLine++, ...over });

const project = (services: ComposeService[], extra: Partial<ComposeFacts> = {}): ComposeFacts =>
  composeProject(services, { files: [F], ...extra });

function factsOf(data: ComposeFacts | ComposeFacts[], roles: Record<string, string> = {}): Facts {
  const list = Array.isArray(data) ? data : [data];
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0' },
    collectedAt: '2026-01-01T00:00:00Z',
    durationMs: 0,
    projectDir: '.',
    machine: {},
    roles,
    sources: {
      compose: list.map((d, i) => ({
        target: `compose-${i}.yaml`,
        status: 'ok' as const,
        durationMs: 0,
        data: d,
      })),
    },
  };
}

const run = (
  check: CheckDefinition,
  data: ComposeFacts | ComposeFacts[],
  opts: { roles?: Record<string, string>; options?: unknown } = {},
) => runCheck(check, factsOf(data, opts.roles), { options: { [check.id]: opts.options ?? {} } });

const limits = (memory: number | null, cpus: number | null = 2, raw?: string) => ({
  memoryLimit: at(memory, raw),
  cpuLimit: at(cpus, raw),
});
const GiB = 1024 ** 3;
/** `${NAME}` as written in a compose file. */
const ref = (name: string) => `$${'{'}${name}}`;
const MiB = 1024 ** 2;
const api = (over: Partial<ComposeService> = {}) =>
  svc('api', {
    build: { context: '.', file: F, line: 1 },
    command: at(['uvicorn', 'app.main:app']),
    ...over,
  });

// ---- definitions ----

describe('compose check definitions', () => {
  for (const [noun, check] of Object.entries(CHECKS)) {
    it(`${noun}: id = path, a checklist section, compose source, options default`, () => {
      expect(check.id).toBe(`compose/${noun}`);
      expect(sectionOf(check)).not.toBe('Other');
      expect(check.requires).toEqual(['compose']);
      expect(check.description).toMatch(/https:\/\/docs\.docker\.com\//);
      expect(check.options.safeParse({}).success).toBe(true);
    });
  }

  it('skips every check when the compose source is not configured', () => {
    const facts = { ...factsOf(project([])), sources: {} };
    for (const check of Object.values(CHECKS)) expect(runCheck(check, facts).status).toBe('skip');
  });

  it('gives error, not pass, when the compose file could not be read', () => {
    const facts = factsOf(project([]));
    facts.sources.compose = [{ target: F, status: 'invalid', message: 'bad yaml', durationMs: 0 }];
    for (const check of Object.values(CHECKS)) expect(runCheck(check, facts).status).toBe('error');
  });
});

// ---- helpers and roles ----

describe('helpers and roles', () => {
  it('parses Docker sizes in binary units', () => {
    expect(parseDockerSize('10m')).toBe(10 * MiB);
    expect(parseDockerSize('10MB')).toBe(10 * MiB);
    expect(parseDockerSize('1.5g')).toBe(1.5 * GiB);
    expect(parseDockerSize('ten megs')).toBeNull();
    expect(formatBytes(512 * MiB)).toBe('512 MiB');
    expect(formatBytes(16 * GiB)).toBe('16 GiB');
  });

  it('reads the repository of an image reference', () => {
    expect(imageRepository('docker.io/library/postgres:16-alpine')).toBe('postgres');
    expect(imageRepository('ghcr.io/org/api:1.2@sha256:abc')).toBe('org/api');
    expect(imageRepository('localhost:5000/bitnami/redis:7')).toBe('bitnami/redis');
  });

  it('guesses roles from images, commands and build, config first', () => {
    const role = (s: ComposeService, roles = {}) => serviceRole(s, roles).role;
    expect(role(svc('db', { image: at('postgis/postgis:16-3.4') }))).toBe('postgres');
    expect(role(svc('ch', { image: at('yandex/clickhouse-server:21.8') }))).toBe('clickhouse');
    expect(role(svc('cache', { image: at('valkey/valkey:8') }))).toBe('redis');
    expect(role(svc('pool', { image: at('edoburu/pgbouncer:1.22.1') }))).toBe('pgbouncer');
    expect(
      role(
        svc('web', {
          image: at('org/web:1'),
          command: at('gunicorn -k uvicorn.workers.UvicornWorker app:app'),
        }),
      ),
    ).toBe('app');
    expect(role(svc('nginx', { image: at('nginx:1.27') }))).toBe('proxy');
    expect(role(svc('tool', { image: at('alpine:3') }))).toBeUndefined();
    expect(role(svc('db', { image: at('mycorp/pg:16') }), { db: 'postgres' })).toBe('postgres');
  });

  it('tells one-shot jobs from long-running services', () => {
    expect(
      oneShotReason(svc('migrate', { command: at('alembic upgrade head'), restart: at('no') }), {}),
    ).toBeDefined();
    expect(oneShotReason(svc('createbuckets', {}), {})).toBeDefined();
    expect(oneShotReason(svc('shell', { profiles: ['tools'] }), {})).toBeDefined();
    expect(oneShotReason(svc('x', {}), { x: 'job' })).toBeDefined();
    // Migrations then the server: it serves.
    expect(
      oneShotReason(svc('api', { command: at('sh -c "alembic upgrade head && uvicorn app:app"') }), {}),
    ).toBeUndefined();
    expect(oneShotReason(svc('init', { restart: at('unless-stopped') }), {})).toBeUndefined();
    expect(oneShotReason(svc('postgres', { image: at('postgres:16') }), {})).toBeUndefined();
  });

  it('counts workers from the command or WEB_CONCURRENCY', () => {
    expect(workerCount(svc('a', { command: at('uvicorn app:app --workers 4') }))?.count).toBe(4);
    expect(workerCount(svc('a', { command: at(['gunicorn', '-w', '3', 'app:app']) }))?.count).toBe(3);
    expect(workerCount(svc('a', { environment: { WEB_CONCURRENCY: at('2') } }))?.count).toBe(2);
    expect(workerCount(svc('a', {}))).toBeUndefined();
  });
});

// ---- edge cases per check ----

describe('compose/memory-limit', () => {
  it('fails a service without a limit and passes one within bounds', () => {
    const r = run(memoryLimit, project([api(limits(512 * MiB)), svc('nginx', { image: at('nginx:1.27') })]));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('nginx');
    expect(r.evidence.find((e) => e.subject === 'service api')?.status).toBe('pass');
    expect(parseYaml(r.remediation?.change ?? '')).toHaveProperty(
      'services.nginx.deploy.resources.limits.memory',
    );
    expect(r.remediation?.applies).toBe('redeploy');
  });

  it('scales the app bound by the worker count', () => {
    const four = api({ ...limits(2 * GiB), command: at('uvicorn app.main:app --workers 4') });
    expect(run(memoryLimit, project([four])).status).toBe('pass');
    expect(run(memoryLimit, project([api(limits(2 * GiB))])).status).toBe('fail');
    expect(run(memoryLimit, project([four]), { options: { appPerWorker: false } }).status).toBe('fail');
  });

  it('warns on a ClickHouse limit far from 16 GiB, with options in Docker units', () => {
    const ch = (bytes: number) =>
      svc('clickhouse', { image: at('clickhouse/clickhouse-server:24.8'), ...limits(bytes) });
    expect(run(memoryLimit, project([ch(14 * GiB)])).status).toBe('pass');
    expect(run(memoryLimit, project([ch(4 * GiB)])).status).toBe('warn');
    expect(run(memoryLimit, project([ch(4 * GiB)]), { options: { clickhouseBytes: '4g' } }).status).toBe(
      'pass',
    );
  });

  it('fails an unparseable value and a zero limit, never passes them', () => {
    const r = run(memoryLimit, project([svc('x', limits(null, 2, '512 megabytes'))]));
    expect(r.status).toBe('fail');
    expect(r.evidence[0]?.note).toContain('unparseable');
    expect(run(memoryLimit, project([svc('x', limits(0))])).status).toBe('fail');
  });

  it('warns on an unresolved variable', () => {
    const s = svc('x', limits(null, 2, ref('API_MEMORY')));
    const unresolved = [{ variable: 'API_MEMORY', file: F, line: s.memoryLimit!.line }];
    const r = run(memoryLimit, project([s], { unresolved }));
    expect(r.status).toBe('warn');
    expect(r.evidence[0]?.note).toContain(ref('API_MEMORY'));
  });

  it('judges every target and uses config roles', () => {
    const a = project([svc('worker', limits(1 * GiB))]);
    const b = project([svc('other', limits(256 * MiB))]);
    expect(run(memoryLimit, [a, b]).status).toBe('pass');
    expect(run(memoryLimit, [a, b], { roles: { worker: 'app' } }).status).toBe('fail');
    expect(run(memoryLimit, project([])).status).toBe('skip');
  });
});

describe('compose/cpu-limit', () => {
  const pgb = (cpus: number) =>
    svc('pgbouncer', { image: at('bitnami/pgbouncer:1.23'), ...limits(GiB, cpus) });
  it('fails above 4 cores or without a limit, warns below 2', () => {
    expect(run(cpuLimit, project([svc('a', limits(GiB, 8))])).status).toBe('fail');
    expect(run(cpuLimit, project([svc('a', { memoryLimit: at(GiB) })])).status).toBe('fail');
    expect(run(cpuLimit, project([svc('a', limits(GiB, 0.5))])).status).toBe('warn');
    expect(
      run(cpuLimit, project([svc('a', limits(GiB, 0.5))]), { options: { belowMin: 'fail' } }).status,
    ).toBe('fail');
    expect(run(cpuLimit, project([svc('a', limits(GiB, 3))])).status).toBe('pass');
  });
  it('lets PgBouncer and Redis run on one core', () => {
    expect(run(cpuLimit, project([pgb(1)])).status).toBe('pass');
    expect(run(cpuLimit, project([pgb(0.5)])).status).toBe('warn');
  });
  it('fails an unparseable value', () => {
    const r = run(cpuLimit, project([svc('a', limits(GiB, null, 'two'))]));
    expect(r.status).toBe('fail');
  });
});

describe('compose/healthcheck', () => {
  it("fails without interval (Docker's default 30 s) and passes 10 s", () => {
    const r = run(healthcheck, project([svc('a', { restart: at('always'), healthcheck: hc() })]));
    expect(r.status).toBe('fail');
    expect(r.evidence[0]?.observed).toBe('30 s');
    expect(run(healthcheck, project([svc('a', { healthcheck: hc(10) })])).status).toBe('pass');
    expect(run(healthcheck, project([svc('a', { healthcheck: hc(15) })])).status).toBe('fail');
  });
  it('fails a disabled, missing or unparseable healthcheck; warns on unresolved', () => {
    expect(run(healthcheck, project([svc('a', { healthcheck: { ...hc(5), disabled: true } })])).status).toBe(
      'fail',
    );
    expect(run(healthcheck, project([svc('a')])).status).toBe('fail');
    expect(run(healthcheck, project([svc('a', { healthcheck: hc(null, '10') })])).status).toBe('fail');
    const s = svc('a', { healthcheck: hc(null, ref('HC')) });
    const unresolved = [{ variable: 'HC', file: F, line: s.healthcheck!.intervalSeconds!.line }];
    expect(run(healthcheck, project([s], { unresolved })).status).toBe('warn');
  });
  it('does not judge one-shot services, and skips when only those exist', () => {
    const job = svc('migrate', { command: at('alembic upgrade head'), restart: at('no') });
    expect(run(healthcheck, project([job])).status).toBe('skip');
    expect(run(healthcheck, project([job, svc('a', { healthcheck: hc(5) })])).status).toBe('pass');
  });
});

describe('compose/read-only-rootfs', () => {
  it('fails a writable app, passes read_only, skips without an app', () => {
    expect(run(readOnlyRootfs, project([api()])).status).toBe('fail');
    const ro = run(readOnlyRootfs, project([api({ readOnly: at(true), tmpfs: ['/tmp'] })]));
    expect(ro.status).toBe('pass');
    expect(run(readOnlyRootfs, project([svc('redis', { image: at('redis:7') })])).status).toBe('skip');
  });
});

describe('compose/log-rotation', () => {
  const logging = (driver: string | undefined, options: Record<string, string> = {}) => ({
    file: F,
    line: nextLine++,
    ...(driver ? { driver: at(driver) } : {}),
    options: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, at(v)])),
  });
  const one = (l?: ComposeService['logging']) =>
    run(logRotation, project([svc('a', l ? { logging: l } : {})]));
  it('judges json-file sizes and counts', () => {
    expect(one().status).toBe('fail');
    expect(one(logging('json-file', { 'max-size': '10m', 'max-file': '3' })).status).toBe('pass');
    expect(one(logging(undefined, { 'max-size': '5m' })).status).toBe('pass');
    expect(one(logging('json-file', { 'max-file': '3' })).status).toBe('fail');
    expect(one(logging('json-file', { 'max-size': '100m' })).status).toBe('fail');
    expect(one(logging('json-file', { 'max-size': '10m', 'max-file': '10' })).status).toBe('fail');
    expect(one(logging('json-file', { 'max-size': 'ten megs' })).evidence[0]?.note).toContain('unparseable');
  });
  it('accepts local and shipping drivers, warns on none and unknown drivers', () => {
    expect(one(logging('local')).status).toBe('pass');
    expect(one(logging('fluentd')).status).toBe('pass');
    expect(one(logging('none')).status).toBe('warn');
    expect(one(logging('acme/logger:1')).status).toBe('warn');
  });
  it('warns on an unresolved max-size', () => {
    const l = logging('json-file', { 'max-size': ref('LOG_SIZE') });
    const unresolved = [{ variable: 'LOG_SIZE', file: F, line: l.options['max-size']!.line }];
    expect(run(logRotation, project([svc('a', { logging: l })], { unresolved })).status).toBe('warn');
  });
});

describe('compose/startup-order', () => {
  const healthy = hc(10);
  const pg = (over: Partial<ComposeService> = {}) =>
    svc('postgres', { image: at('postgres:16'), healthcheck: healthy, ...over });
  const ch = (deps = [dep('postgres')]) =>
    svc('clickhouse', {
      image: at('clickhouse/clickhouse-server:24.8'),
      healthcheck: healthy,
      dependsOn: deps,
    });

  it('passes healthy dependencies in the checklist order', () => {
    const app = api({ dependsOn: [dep('postgres'), dep('clickhouse')] });
    expect(run(startupOrder, project([pg(), ch(), app])).status).toBe('pass');
  });
  it('fails start-order-only dependencies and missing ones', () => {
    const app = api({ dependsOn: [dep('postgres', 'service_started')] });
    const r = run(startupOrder, project([pg(), ch(), app]));
    expect(r.status).toBe('fail');
    expect(r.evidence.map((e) => e.status)).toEqual(['fail', 'fail', 'pass']);
    const change = parseYaml(r.remediation?.change ?? '');
    expect(change.services.api.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      clickhouse: { condition: 'service_healthy' },
    });
  });
  it('warns when ClickHouse follows PostgreSQL by start order only', () => {
    const app = api({ dependsOn: [dep('postgres'), dep('clickhouse')] });
    expect(run(startupOrder, project([pg(), ch([dep('postgres', 'service_started')]), app])).status).toBe(
      'warn',
    );
  });
  it('accepts a healthy path through PgBouncer', () => {
    const pool = svc('pgbouncer', {
      image: at('edoburu/pgbouncer:1.22.1'),
      healthcheck: healthy,
      dependsOn: [dep('postgres')],
    });
    const r = run(startupOrder, project([pg(), pool, api({ dependsOn: [dep('pgbouncer')] })]));
    expect(r.status).toBe('pass');
    expect(r.evidence[0]?.observed).toContain('via pgbouncer');
  });
  it('fails service_healthy on a database without a healthcheck', () => {
    const r = run(
      startupOrder,
      project([pg({ healthcheck: undefined }), api({ dependsOn: [dep('postgres')] })]),
    );
    expect(r.status).toBe('fail');
  });
  it('holds each API to the database of a role it uses, not to every other API’s', () => {
    // Three APIs, each with its own PostgreSQL: api-0 waits for db-0 only, api-1 for nothing.
    const dbs = [0, 1, 2].map((i) => svc(`db-${i}`, { image: at('postgres:16'), healthcheck: healthy }));
    const apis = [0, 1, 2].map((i) =>
      svc(`api-${i}`, {
        image: at(`registry.example.com/api-${i}:1`),
        command: at(['uvicorn', 'app.main:app']),
        environment: { DATABASE_URL: at(`postgresql://app:pw@db-${i}:5432/app`) },
        dependsOn: i === 0 ? [dep('db-0')] : [dep(`db-${i}`, 'service_started')],
      }),
    );
    const r = run(startupOrder, project([...dbs, ...apis]));
    expect(r.status).toBe('fail');
    const judged = r.evidence.filter((e) => e.status !== 'info').map((e) => [e.subject, e.status]);
    expect(judged).toEqual([
      ['service api-0 → db-0', 'pass'],
      ['service api-1 → db-1', 'fail'],
      ['service api-2 → db-2', 'fail'],
    ]);
    // One info item per API for the databases it is not held to, whatever their number.
    const info = r.evidence.filter((e) => e.status === 'info');
    expect(info.map((e) => e.subject)).toEqual(['service api-0', 'service api-1', 'service api-2']);
    expect(info[0]?.note).toMatch(/no depends_on or address of db-1, db-2: not judged$/);
    // An API that shows no sign of any PostgreSQL is still held to every one.
    const lone = svc('api-x', {
      image: at('registry.example.com/api-x:1'),
      command: at(['uvicorn', 'a:app']),
    });
    const r2 = run(startupOrder, project([dbs[0]!, dbs[1]!, lone]));
    expect(r2.evidence.map((e) => [e.subject, e.status])).toEqual([
      ['service api-x → db-0', 'fail'],
      ['service api-x → db-1', 'fail'],
    ]);
  });
  it('lists the databases an app is not held to in one item, the first five by name', () => {
    const dbs = Array.from({ length: 8 }, (_, i) =>
      svc(`db-${i}`, { image: at('postgres:16'), healthcheck: healthy }),
    );
    const app = api({ dependsOn: [dep('db-0')] });
    const r = run(startupOrder, project([...dbs, app]));
    expect(r.status).toBe('pass');
    expect(r.evidence).toHaveLength(2);
    expect(r.evidence[1]?.note).toMatch(/address of db-1, db-2, db-3, db-4, db-5 and 2 more: not judged$/);
  });
  it('skips without an app or without databases', () => {
    expect(run(startupOrder, project([pg(), ch()])).status).toBe('skip');
    expect(run(startupOrder, project([api()])).status).toBe('skip');
  });
});

describe('compose/named-volumes', () => {
  const pg = (volumes: ComposeService['volumes'], env: ComposeService['environment'] = {}) =>
    svc('postgres', { image: at('postgres:16'), volumes, environment: env });
  it('passes a declared named volume, fails bind, anonymous, undeclared and missing mounts', () => {
    const named = pg([vol('volume', '/var/lib/postgresql/data', 'pgdata')]);
    expect(run(namedVolumes, project([named], { volumes: ['pgdata'] })).status).toBe('pass');
    expect(run(namedVolumes, project([named])).status).toBe('fail');
    expect(run(namedVolumes, project([pg([vol('bind', '/var/lib/postgresql/data', './data')])])).status).toBe(
      'fail',
    );
    expect(run(namedVolumes, project([pg([vol('volume', '/var/lib/postgresql/data')])])).status).toBe('fail');
    const r = run(namedVolumes, project([pg([])]));
    expect(r.status).toBe('fail');
    expect(parseYaml(r.remediation?.change ?? '')).toHaveProperty('volumes.postgres-data');
  });
  it('follows PGDATA and ignores unrelated binds', () => {
    const custom = pg(
      [vol('volume', '/pgdata', 'pg'), vol('bind', '/docker-entrypoint-initdb.d/init.sql', './init.sql')],
      { PGDATA: at('/pgdata/16') },
    );
    expect(run(namedVolumes, project([custom], { volumes: ['pg'] })).status).toBe('pass');
  });
  it('skips without a database service', () => {
    expect(run(namedVolumes, project([api()])).status).toBe('skip');
  });
  it('lists a one-shot job run from a database image, not judged (SigNoz init-clickhouse)', () => {
    const init = svc('init-clickhouse', {
      image: at('clickhouse/clickhouse-server:25.5.6'),
      command: at(['bash', '-c', 'wget -O h.tgz https://x && tar -xzf h.tgz']),
      volumes: [vol('bind', '/var/lib/clickhouse/user_scripts/', '../common/user_scripts')],
    });
    const server = svc('clickhouse', {
      image: at('clickhouse/clickhouse-server:25.5.6'),
      volumes: [vol('volume', '/var/lib/clickhouse/', 'clickhouse')],
      dependsOn: [dep('init-clickhouse', 'service_completed_successfully')],
    });
    const r = run(namedVolumes, project([init, server], { volumes: ['clickhouse'] }));
    expect(r.status).toBe('pass');
    expect(r.message).toBe('all 1 database services keep their data in named volumes');
    expect(r.evidence.find((e) => e.subject === 'service init-clickhouse')).toMatchObject({
      status: 'info',
      note: expect.stringMatching(/^one-shot \(clickhouse waits for it/),
    });
    // Alone, nothing says it runs once but a command that ends in an exiting step.
    expect(run(namedVolumes, project([init])).status).toBe('fail');
    const schema = svc('schema', {
      image: at('clickhouse/clickhouse-server:25.5.6'),
      command: at('clickhouse-client --host clickhouse --query "CREATE DATABASE signoz"'),
    });
    expect(run(namedVolumes, project([schema])).status).toBe('skip');
  });
});

describe('compose/restart-policy', () => {
  const one = (over: Partial<ComposeService>) => run(restartPolicy, project([svc('a', over)]));
  it('passes unless-stopped, warns always, fails on-failure and none', () => {
    expect(one({ restart: at('unless-stopped') }).status).toBe('pass');
    expect(one({ restart: at('always') }).status).toBe('warn');
    expect(one({ restart: at('on-failure:3') }).status).toBe('fail');
    expect(one({}).status).toBe('fail');
    expect(one({ deployRestartCondition: at('any') }).status).toBe('warn');
    expect(one({ deployRestartCondition: at('none') }).status).toBe('fail');
  });
});

describe('compose/network-mode', () => {
  it('fails host networking only', () => {
    expect(run(networkMode, project([svc('a', { networkMode: at('host') })])).status).toBe('fail');
    expect(run(networkMode, project([svc('a', { networkMode: at('service:vpn') }), svc('b')])).status).toBe(
      'pass',
    );
  });
});

describe('compose/central-logging', () => {
  it('passes with a log agent, not with a pgvector database', () => {
    expect(
      run(centralLogging, project([svc('logs', { image: at('fluent/fluent-bit:3.1') }), svc('a')])).status,
    ).toBe('pass');
    expect(run(centralLogging, project([svc('db', { image: at('pgvector/pgvector:pg16') })])).status).toBe(
      'fail',
    );
  });
  it('warns when only some services ship, fails with an attestation note when none do', () => {
    const gelf = { file: F, line: nextLine++, driver: at('gelf'), options: {} };
    expect(run(centralLogging, project([svc('a', { logging: gelf })])).status).toBe('pass');
    expect(run(centralLogging, project([svc('a', { logging: gelf }), svc('b')])).status).toBe('warn');
    expect(run(centralLogging, project([svc('b')])).message).toContain('attestation');
  });
});

// ---- fixtures through the real collector ----

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/checks/compose');
const EXPECTED: Record<string, string> = { success: 'pass', failure: 'fail', warning: 'warn', skip: 'skip' };

describe('compose fixtures', () => {
  for (const noun of Object.keys(CHECKS)) {
    const dirs = readdirSync(path.join(FIXTURES, noun));
    it(`${noun} has a success and a failure fixture`, () => {
      expect(dirs).toContain('success');
      expect(dirs).toContain('failure');
    });
    for (const dir of dirs) {
      const expected = EXPECTED[dir.split('-')[0] ?? ''];
      it(`${noun}/${dir} → ${expected}`, async () => {
        const projectDir = path.join(FIXTURES, noun, dir);
        const targets = await collectCompose({ projectDir, env: {} });
        expect(targets.map((t) => t.status)).toEqual(['ok']);
        const facts = factsOf(targets.map((t) => t.data!));
        // compose/healthcheck reads the HEALTHCHECK of the Dockerfiles the services build.
        const dockerfiles = await collectDockerfiles({ projectDir });
        if (dockerfiles.length > 0) facts.sources.dockerfile = dockerfiles;
        const result = runCheck(CHECKS[noun]!, facts);
        expect({ status: result.status, message: result.message }).toMatchObject({ status: expected });
        if (result.remediation?.change) expect(() => parseYaml(result.remediation!.change!)).not.toThrow();
      });
    }
  }
});
