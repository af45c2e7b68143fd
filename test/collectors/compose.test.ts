// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose `${VAR}` references, not templates
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ComposeOptions, collectCompose, findComposeFiles } from '../../src/collectors/compose/index.js';
import { interpolateString, parseDotEnv } from '../../src/collectors/compose/interpolate.js';
import type { ComposeFacts, ComposeService } from '../../src/collectors/compose/schema.js';
import { parseBytes, parseCpus, parseDuration } from '../../src/collectors/compose/units.js';
import { InputError } from '../../src/core/errors.js';

const fx = (name: string) => path.resolve('fixtures/compose', name);

async function collect(dir: string, opts: Partial<ComposeOptions> = {}): Promise<ComposeFacts> {
  const [target] = await collectCompose({ projectDir: fx(dir), env: {}, ...opts });
  expect(target?.status).toBe('ok');
  return target?.data as ComposeFacts;
}

function svc(facts: ComposeFacts, name: string): ComposeService {
  const s = facts.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name} in ${facts.services.map((x) => x.name).join(', ')}`);
  return s;
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('compose collector: files and merging', () => {
  it('finds the default file and its override, and merges them', async () => {
    expect(await findComposeFiles(fx('multi-file'))).toEqual([
      fx('multi-file/compose.yaml'),
      fx('multi-file/compose.override.yaml'),
    ]);
    const [target] = await collectCompose({ projectDir: fx('multi-file'), env: {} });
    expect(target?.target).toBe('compose.yaml,compose.override.yaml');
    const facts = target?.data as ComposeFacts;
    expect(facts.projectName).toBe('riskstack');
    const api = svc(facts, 'api');
    expect(api).toMatchObject({ file: 'compose.yaml', line: 3 });
    expect(api.environment.LOG_LEVEL).toEqual({ value: 'debug', file: 'compose.override.yaml', line: 4 });
    expect(api.environment.WORKERS).toEqual({ value: '2', file: 'compose.yaml', line: 8 });
    // Volumes merge by target: the override's ./config-dev replaces ./config on /app/config.
    expect(api.volumes).toEqual([
      { type: 'bind', source: './config-dev', target: '/app/config', file: 'compose.override.yaml', line: 7 },
      { type: 'volume', source: 'api-cache', target: '/cache', file: 'compose.yaml', line: 13 },
      { type: 'bind', source: './src', target: '/app/src', file: 'compose.override.yaml', line: 6 },
    ]);
  });

  it('merges several -f files in order with compose rules', async () => {
    const files = ['compose.yaml', 'compose.override.yaml', 'compose.prod.yaml'];
    const [target] = await collectCompose({ projectDir: fx('multi-file'), files, env: {} });
    expect(target?.target).toBe(files.join(','));
    const facts = target?.data as ComposeFacts;
    expect(facts.files).toEqual(files);
    expect(facts.services.map((s) => s.name)).toEqual(['api', 'postgres', 'clickhouse']);
    expect(facts.volumes).toEqual(['pgdata', 'api-cache', 'chdata']);
    const api = svc(facts, 'api');
    // command is replaced, not appended.
    expect(api.command).toEqual({
      value: 'gunicorn app.main:app -k uvicorn.workers.UvicornWorker -w 4',
      file: 'compose.prod.yaml',
      line: 3,
    });
    // environment merged by key across list and map forms.
    expect(api.environment).toEqual({
      LOG_LEVEL: { value: 'warning', file: 'compose.prod.yaml', line: 5 },
      WORKERS: { value: '2', file: 'compose.yaml', line: 8 },
      SENTRY_DSN: { value: null, file: 'compose.prod.yaml', line: 6 },
    });
    expect(api.labels).toEqual({ 'com.example.team': 'risk', 'com.example.tier': 'prod' });
    // depends_on: list form then map form, merged by service.
    expect(api.dependsOn).toEqual([
      { service: 'postgres', condition: 'service_healthy', file: 'compose.prod.yaml', line: 10 },
      { service: 'clickhouse', condition: 'service_healthy', file: 'compose.prod.yaml', line: 12 },
    ]);
    // healthcheck.test replaced (list → string), interval overridden.
    expect(api.healthcheck).toEqual({
      file: 'compose.prod.yaml',
      line: 14,
      disabled: false,
      test: { value: 'curl -f http://localhost:8000/health || exit 1', file: 'compose.prod.yaml', line: 15 },
      intervalSeconds: { value: 5, file: 'compose.prod.yaml', line: 16, raw: '5s' },
    });
    // Same driver: options merged by key.
    expect(api.logging?.driver).toEqual({ value: 'json-file', file: 'compose.yaml', line: 20 });
    expect(api.logging?.options).toEqual({
      'max-size': { value: '10m', file: 'compose.prod.yaml', line: 19 },
      'max-file': { value: '3', file: 'compose.prod.yaml', line: 20 },
    });
    expect(api.memoryLimit).toEqual({ value: 512 * MiB, file: 'compose.prod.yaml', line: 24, raw: '512M' });
    expect(api.cpuLimit).toEqual({ value: 2, file: 'compose.prod.yaml', line: 25, raw: '2' });
    expect(api.restart).toEqual({ value: 'unless-stopped', file: 'compose.prod.yaml', line: 26 });
    expect(api.volumes.map((v) => v.target)).toEqual(['/app/config', '/cache', '/app/src']);
    const ch = svc(facts, 'clickhouse');
    expect(ch).toMatchObject({ file: 'compose.prod.yaml', line: 27 });
    expect(ch.memoryLimit?.value).toBe(16 * GiB);
    expect(ch.cpuLimit?.value).toBe(4);
  });

  it('reads a single -f file without the override', async () => {
    const facts = await collect('multi-file', { files: ['compose.yaml'] });
    expect(svc(facts, 'api').environment.LOG_LEVEL?.value).toBe('info');
    expect(svc(facts, 'api').volumes[0]).toMatchObject({
      source: './config',
      target: '/app/config',
      line: 12,
    });
  });

  it('honours the !reset and !override tags of override files', async () => {
    const facts = await collect('reset-override');
    expect(facts.services.map((s) => s.name)).toEqual(['api']);
    const api = svc(facts, 'api');
    expect(api.volumes).toEqual([
      { type: 'bind', source: './c', target: '/c', file: 'compose.override.yaml', line: 4 },
    ]);
    expect(api.healthcheck).toBeUndefined();
    expect(api.memoryLimit).toBeUndefined();
  });

  it('reads top-level include files', async () => {
    const facts = await collect('include');
    expect(facts.services.map((s) => s.name)).toEqual(['prometheus', 'api']);
    expect(svc(facts, 'prometheus')).toMatchObject({ file: 'monitoring/compose.yaml', line: 2 });
    expect(svc(facts, 'prometheus').memoryLimit).toMatchObject({
      value: 2 * GiB,
      file: 'monitoring/compose.yaml',
      line: 4,
    });
    expect(facts.volumes).toEqual(['promdata']);
    expect(facts.files).toEqual(['compose.yaml']);
  });

  it('returns [] when there is no compose file', async () => {
    expect(await findComposeFiles(fx('empty-dir'))).toEqual([]);
    expect(await collectCompose({ projectDir: fx('empty-dir'), env: {} })).toEqual([]);
  });

  it('uses the given project name, else name:, else the directory', async () => {
    expect((await collect('multi-file', { projectName: 'Prod' })).projectName).toBe('prod');
    expect((await collect('profiles')).projectName).toBe('profiles');
  });
});

describe('compose collector: interpolation', () => {
  it('interpolates from .env with the process env winning', async () => {
    const facts = await collect('env', { env: { OVERRIDDEN: 'from-process' } });
    const api = svc(facts, 'api');
    expect(api.image).toEqual({
      value: 'registry.example.com/risk/api:1.4.2',
      file: 'compose.yaml',
      line: 3,
    });
    const env = Object.fromEntries(Object.entries(api.environment).map(([k, v]) => [k, v.value]));
    // Environment values are shown as written wherever the environment filled them in (no secret
    // from .env enters the facts); defaults and literals are interpolated.
    expect(env).toEqual({
      LOG_LEVEL: 'info',
      EMPTY_DEFAULT: 'fallback',
      EMPTY_DASH: '${EMPTY-kept-empty}',
      UNSET_DASH: 'dash-default',
      ALT: 'tag-is-set',
      ALT_UNSET: '',
      PRICE: '$5 and ${NOT_A_VAR}',
      OVERRIDDEN: '$OVERRIDDEN',
      GREETING: '${GREETING}',
      REDIS_ARGS: '${REDIS_ARGS}',
      SECRET_KEY: '${SECRET_KEY}',
      NESTED: '${NOPE:-${API_TAG}-nested}',
    });
    // The process environment wins over .env, in a place that keeps interpolated values.
    const overridden = await collect('env', { env: { API_TAG: '9.9' } });
    expect(svc(overridden, 'api').image?.value).toBe('registry.example.com/risk/api:9.9');
    expect(api.memoryLimit).toEqual({ value: 512 * MiB, file: 'compose.yaml', line: 17, raw: '512m' });
    expect(svc(facts, 'clickhouse').memoryLimit?.value).toBe(8 * GiB);
    expect(svc(facts, 'postgres').image?.value).toBe('postgres:16.2');
    // Unresolved references keep their text and are reported, never guessed.
    expect(svc(facts, 'clickhouse').image?.value).toBe(
      'clickhouse/clickhouse-server:${CH_TAG:?CH_TAG must be set in .env}',
    );
    expect(facts.unresolved).toEqual([
      { variable: 'SECRET_KEY', file: 'compose.yaml', line: 15 },
      { variable: 'CH_TAG', file: 'compose.yaml', line: 19, message: 'CH_TAG must be set in .env' },
      {
        variable: 'PG_PASSWORD',
        file: 'compose.yaml',
        line: 24,
        message: 'required variable PG_PASSWORD is missing a value',
      },
    ]);
  });

  it('reads another env file when given, and process env over it', async () => {
    const facts = await collect('env', { envFile: 'custom.env', env: { PG_PASSWORD: 'x', API_TAG: '7.0' } });
    expect(svc(facts, 'clickhouse').image?.value).toBe('clickhouse/clickhouse-server:24.8');
    expect(svc(facts, 'api').image?.value).toBe('${API_IMAGE}:7.0');
    // custom.env replaces .env entirely: what only .env defined is now unresolved.
    expect(facts.unresolved.map((u) => u.variable)).toEqual([
      'API_IMAGE',
      'OVERRIDDEN',
      'GREETING',
      'REDIS_ARGS',
      'SECRET_KEY',
      'CH_MEM',
      'PG_VERSION',
    ]);
    // An unconvertible (unresolved) memory limit stays null with its raw text.
    expect(svc(facts, 'clickhouse').memoryLimit).toEqual({
      value: null,
      file: 'compose.yaml',
      line: 20,
      raw: '${CH_MEM}',
    });
  });

  it('refuses a missing env file given by name', async () => {
    const err = await inputError(collectCompose({ projectDir: fx('env'), envFile: 'nope.env', env: {} }));
    expect(err.file).toBe('nope.env');
  });

  it('interpolates strings as compose does', () => {
    const env: Record<string, string> = { A: 'a', EMPTY: '' };
    const look = (n: string) => env[n];
    expect(interpolateString('$A-${A}-$$A-${B:-${A}x}', look)).toEqual({
      value: 'a-a-$A-ax',
      unresolved: [],
      fromEnv: true,
    });
    expect(
      interpolateString('${EMPTY:-d}|${EMPTY-d}|${B-d}|${A:+y}|${EMPTY+y}|${EMPTY:+y}', look).value,
    ).toBe('d||d|y|y|');
    expect(interpolateString('x${B}y$C', look)).toEqual({
      value: 'x${B}y$C',
      unresolved: [{ variable: 'B' }, { variable: 'C' }],
      fromEnv: false,
    });
    expect(interpolateString('${EMPTY:?need it}', look).unresolved).toEqual([
      { variable: 'EMPTY', message: 'need it' },
    ]);
    expect(interpolateString('${EMPTY?need it}', look)).toEqual({ value: '', unresolved: [], fromEnv: true });
    expect(interpolateString('${B:-lit}', look)).toEqual({ value: 'lit', unresolved: [], fromEnv: false });
    expect(() => interpolateString('${A', look)).toThrow(/unterminated/);
  });

  it('parses .env files: comments, quotes, export, multi-line values', () => {
    const text = [
      '# comment',
      'export A=1',
      'B = "two words" # comment',
      "C='${A} literal'",
      'D=${A}-$B',
      'E="multi',
      'line"',
      'F=x#not-a-comment',
      'G=',
      'HOSTVAR',
    ].join('\n');
    expect(parseDotEnv(text, '.env', (n) => (n === 'HOSTVAR' ? 'h' : undefined))).toEqual({
      A: '1',
      B: 'two words',
      C: '${A} literal',
      D: '1-two words',
      E: 'multi\nline',
      F: 'x#not-a-comment',
      G: '',
      HOSTVAR: 'h',
    });
    expect(() => parseDotEnv('OK=1\nBAD KEY=2\n', '.env', () => undefined)).toThrow(InputError);
  });
});

describe('compose collector: YAML anchors and aliases', () => {
  it('resolves anchors, << merge keys, !!merge tags and ignores x- blocks', async () => {
    const facts = await collect('anchors');
    expect(facts.services.map((s) => s.name)).toEqual(['api', 'worker', 'redis']);
    const api = svc(facts, 'api');
    expect(api.restart).toEqual({ value: 'unless-stopped', file: 'compose.yaml', line: 20 });
    expect(api.logging?.driver).toEqual({ value: 'json-file', file: 'compose.yaml', line: 2 });
    expect(api.logging?.options['max-file']).toEqual({ value: '3', file: 'compose.yaml', line: 5 });
    expect(api.memoryLimit).toEqual({ value: 256 * MiB, file: 'compose.yaml', line: 16, raw: '256M' });
    expect(api.cpuLimit).toEqual({ value: 0.5, file: 'compose.yaml', line: 17, raw: '0.50' });
    expect(api.healthcheck?.intervalSeconds).toMatchObject({ value: 10, line: 8 });
    expect(api.healthcheck?.test?.line).toBe(30);
    const worker = svc(facts, 'worker');
    // Explicit keys win over merged ones.
    expect(worker.restart).toEqual({ value: 'on-failure', file: 'compose.yaml', line: 35 });
    expect(worker.healthcheck?.intervalSeconds).toMatchObject({ value: 30, line: 39 });
    expect(worker.logging?.options['max-size']?.value).toBe('10m');
    expect(svc(facts, 'redis').logging?.driver?.value).toBe('json-file');
  });

  it('reads a file with 300+ aliases', async () => {
    const facts = await collect('many-aliases');
    expect(facts.services).toHaveLength(60);
    for (const s of facts.services) {
      expect(s.memoryLimit?.value).toBe(128 * MiB);
      expect(s.cpuLimit?.value).toBe(0.25);
      expect(s.healthcheck?.intervalSeconds?.value).toBe(5);
      expect(s.restart?.value).toBe('unless-stopped');
      expect(s.environment.TZ?.value).toBe('UTC');
      expect(s.labels).toEqual({ 'com.example.stack': 'big' });
    }
    // Aliased values keep the line of the anchored node.
    expect(svc(facts, 'svc59').memoryLimit?.line).toBe(15);
  });

  it('refuses a billion-laughs file quickly', async () => {
    const started = performance.now();
    const err = await inputError(collectCompose({ projectDir: fx('billion-laughs'), env: {} }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err.file).toBe('compose.yaml');
    expect(err.line).toBe(6);
    expect(err.message).toMatch(/expands to more than/);
  });
});

describe('compose collector: extends and profiles', () => {
  it('resolves extends in the same file and in another file', async () => {
    const facts = await collect('extends');
    expect(facts.services.map((s) => s.name)).toEqual(['api', 'worker', 'scheduler']);
    const api = svc(facts, 'api');
    expect(api.image?.value).toBe('api:2.0');
    expect(api.environment).toEqual({
      PYTHONUNBUFFERED: { value: '1', file: 'common/base.yml', line: 4 },
      LOG_LEVEL: { value: 'debug', file: 'compose.yaml', line: 8 },
    });
    expect(api.readOnly).toEqual({ value: true, file: 'common/base.yml', line: 6 });
    expect(api.tmpfs).toEqual(['/tmp']);
    expect(api.restart).toEqual({ value: 'unless-stopped', file: 'common/base.yml', line: 10 });
    expect(api.memoryLimit).toMatchObject({ value: 512 * MiB, file: 'compose.yaml', line: 9 });
    expect(api.healthcheck?.intervalSeconds).toMatchObject({ value: 15, file: 'common/base.yml', line: 14 });
    const worker = svc(facts, 'worker');
    expect(worker.image?.value).toBe('api:2.0');
    expect(worker.command).toEqual({
      value: ['celery', '-A', 'app', 'worker'],
      file: 'compose.yaml',
      line: 12,
    });
    expect(worker.healthcheck?.test).toEqual({
      value: ['CMD', 'celery', 'inspect', 'ping'],
      file: 'compose.yaml',
      line: 14,
    });
    expect(worker.healthcheck?.intervalSeconds?.value).toBe(15);
    const scheduler = svc(facts, 'scheduler');
    expect(scheduler.command).toEqual({ value: 'celery -A app beat', file: 'compose.yaml', line: 18 });
    expect(scheduler.healthcheck?.test?.value).toEqual(['CMD', 'celery', 'inspect', 'ping']);
    expect(scheduler.environment.PYTHONUNBUFFERED?.value).toBe('1');
  });

  it('refuses an extends loop', async () => {
    const err = await inputError(
      collectCompose({ projectDir: fx('malformed'), files: ['extends-loop.yaml'], env: {} }),
    );
    expect(err.message).toMatch(/loops back/);
    expect(err.file).toBe('extends-loop.yaml');
  });

  it('keeps services with profiles only when a profile is active', async () => {
    let facts = await collect('profiles');
    expect(facts.services.map((s) => s.name)).toEqual(['api', 'redis']);
    expect(facts.inactiveServices).toEqual(['debug-tools', 'grafana', 'loadtest']);
    facts = await collect('profiles', { profiles: ['ops'] });
    expect(facts.activeProfiles).toEqual(['ops']);
    expect(facts.services.map((s) => s.name)).toEqual(['api', 'redis', 'grafana']);
    expect(svc(facts, 'grafana').profiles).toEqual(['monitoring', 'ops']);
    facts = await collect('profiles', { env: { COMPOSE_PROFILES: 'debug, bench' } });
    expect(facts.activeProfiles).toEqual(['debug', 'bench']);
    expect(facts.inactiveServices).toEqual(['grafana']);
    facts = await collect('profiles', { profiles: ['*'] });
    expect(facts.inactiveServices).toEqual([]);
  });
});

describe('compose collector: short and long syntax', () => {
  it('normalises both syntaxes to the long one', async () => {
    const facts = await collect('syntax', { files: ['compose.yaml'] });
    const api = svc(facts, 'api');
    expect(api.build).toEqual({ context: './app', file: 'compose.yaml', line: 3 });
    expect(api.command?.value).toBe('uvicorn app.main:app --workers 4');
    expect(api.entrypoint?.value).toEqual(['/entrypoint.sh']);
    expect(api.environment).toEqual({
      LOG_LEVEL: { value: 'info', file: 'compose.yaml', line: 7 },
      EMPTY: { value: '', file: 'compose.yaml', line: 8 },
      FROM_HOST: { value: null, file: 'compose.yaml', line: 9 },
    });
    expect(api.labels).toEqual({ 'traefik.enable': 'true' });
    expect(api.dependsOn).toEqual([
      { service: 'postgres', condition: 'service_started', file: 'compose.yaml', line: 13 },
      { service: 'redis', condition: 'service_started', file: 'compose.yaml', line: 14 },
    ]);
    expect(api.volumes).toEqual([
      { type: 'bind', source: './data', target: '/data', file: 'compose.yaml', line: 16 },
      {
        type: 'bind',
        source: '/var/run/docker.sock',
        target: '/var/run/docker.sock',
        file: 'compose.yaml',
        line: 17,
      },
      { type: 'bind', source: '~/.aws', target: '/root/.aws', file: 'compose.yaml', line: 18 },
      { type: 'volume', source: 'cache', target: '/cache', file: 'compose.yaml', line: 19 },
      { type: 'volume', target: '/scratch', file: 'compose.yaml', line: 20 },
    ]);
    expect(api.healthcheck).toEqual({
      file: 'compose.yaml',
      line: 21,
      disabled: false,
      test: { value: 'curl -f http://localhost/health', file: 'compose.yaml', line: 22 },
      intervalSeconds: { value: 90, file: 'compose.yaml', line: 23, raw: '1m30s' },
    });
    expect(api.tmpfs).toEqual(['/run']);
    expect(api.readOnly).toEqual({ value: true, file: 'compose.yaml', line: 25 });
    expect(api.networkMode).toEqual({ value: 'host', file: 'compose.yaml', line: 26 });
    expect(api.logging).toEqual({
      file: 'compose.yaml',
      line: 27,
      driver: { value: 'local', file: 'compose.yaml', line: 28 },
      options: {},
    });

    const pg = svc(facts, 'postgres');
    expect(pg.build).toEqual({
      context: './db',
      dockerfile: 'Dockerfile.pg',
      file: 'compose.yaml',
      line: 30,
    });
    expect(Object.fromEntries(Object.entries(pg.environment).map(([k, v]) => [k, v.value]))).toEqual({
      POSTGRES_DB: 'risk',
      POSTGRES_PORT: '5432',
      DEBUG: 'false',
      UNSET: null,
    });
    expect(pg.dependsOn).toEqual([
      { service: 'redis', condition: 'service_healthy', file: 'compose.yaml', line: 41 },
      { service: 'migrations', condition: 'service_completed_successfully', file: 'compose.yaml', line: 43 },
      { service: 'init', condition: 'service_started', file: 'compose.yaml', line: 46 },
    ]);
    expect(pg.volumes).toEqual([
      {
        type: 'volume',
        source: 'pgdata',
        target: '/var/lib/postgresql/data',
        file: 'compose.yaml',
        line: 48,
      },
      {
        type: 'bind',
        source: './init',
        target: '/docker-entrypoint-initdb.d',
        file: 'compose.yaml',
        line: 51,
      },
      { type: 'tmpfs', target: '/dev/shm', file: 'compose.yaml', line: 55 },
    ]);
    expect(pg.healthcheck?.test?.value).toEqual(['CMD-SHELL', 'pg_isready -U postgres']);
    expect(pg.healthcheck?.intervalSeconds?.value).toBe(0.5);
    expect(pg.tmpfs).toEqual(['/tmp', '/var/run/postgresql']);
    expect(pg.replicas).toEqual({ value: 2, file: 'compose.yaml', line: 64, raw: '2' });
    expect(pg.deployRestartCondition).toEqual({ value: 'on-failure', file: 'compose.yaml', line: 66 });
    expect(svc(facts, 'redis').healthcheck).toMatchObject({ disabled: true, line: 69 });
    expect(svc(facts, 'migrations').healthcheck).toMatchObject({ disabled: true, test: { value: ['NONE'] } });
    expect(svc(facts, 'init').healthcheck).toBeUndefined();
    expect(facts.volumes).toEqual(['pgdata', 'cache']);
  });

  it('converts memory, CPU and duration units', async () => {
    const facts = await collect('syntax', { files: ['units.yaml'] });
    const got = Object.fromEntries(
      facts.services.map((s) => [
        s.name,
        [s.memoryLimit?.value, s.cpuLimit?.value ?? null, s.healthcheck?.intervalSeconds?.value ?? null],
      ]),
    );
    expect(got).toEqual({
      a: [512 * MiB, 1.5, 10],
      b: [512 * MiB, 0.5, 3600],
      c: [GiB, 2, 90],
      d: [1.5 * GiB, null, 0.5],
      e: [2 * GiB, 3, null],
      f: [null, null, null],
    });
    const f = svc(facts, 'f');
    expect(f.memoryLimit).toEqual({ value: null, file: 'units.yaml', line: 36, raw: 'lots' });
    expect(f.cpuLimit).toMatchObject({ value: null, raw: 'many' });
    expect(f.healthcheck?.intervalSeconds).toMatchObject({ value: null, raw: '30' });
    // deploy.resources.limits wins over mem_limit / cpus.
    expect(svc(facts, 'e').memoryLimit).toMatchObject({ line: 31, raw: '2g' });
  });

  it('parses unit strings', () => {
    expect(parseBytes('512m')).toBe(512 * MiB);
    expect(parseBytes('100kb')).toBe(102400);
    expect(parseBytes('10b')).toBe(10);
    expect(parseBytes(2048)).toBe(2048);
    expect(parseBytes('12 parsecs')).toBeNull();
    expect(parseCpus('.5')).toBe(0.5);
    expect(parseCpus('-1')).toBeNull();
    expect(parseDuration('1h2m3.5s')).toBe(3723.5);
    expect(parseDuration('250us')).toBe(0.00025);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('10 s')).toBeNull();
  });
});

describe('compose collector: bad input', () => {
  const bad = (file: string) =>
    inputError(collectCompose({ projectDir: fx('malformed'), files: [file], env: {} }));

  it.each([
    ['bad-indent.yaml', 6, /invalid YAML/],
    ['unterminated.yaml', 3, /invalid YAML/],
    ['duplicate-key.yaml', 4, /unique/],
    ['top-list.yaml', 2, /expected a map at the top level/],
    ['services-list.yaml', 3, /`services` must be a map/],
    ['service-scalar.yaml', 4, /service "db" must be a map/],
    ['bad-interpolation.yaml', 5, /invalid variable reference "\$\{1BAD\}"/],
  ])('%s → InputError at line %i', async (file, line, message) => {
    const err = await bad(file);
    expect(err.file).toBe(file);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
  });

  it('refuses a missing -f file', async () => {
    const err = await bad('nope.yaml');
    expect(err.file).toBe('nope.yaml');
    expect(err.message).toMatch(/not found/);
  });
});
