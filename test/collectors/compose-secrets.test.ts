// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose `${VAR}` references, not templates
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCompose } from '../../src/collectors/compose/index.js';
import { redactSecret } from '../../src/collectors/compose/normalize.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = resolve(import.meta.dirname, '../../examples/st-risk-platform');

describe('secrets never enter the compose facts', () => {
  it('redacts secret-named variables and passwords in URLs, keeps the rest', () => {
    expect(redactSecret('POSTGRES_PASSWORD', 'hunter2')).toBe('***');
    expect(redactSecret('API_KEY', 'abc')).toBe('***');
    expect(redactSecret('DATABASE_URL', 'postgresql://risk:hunter2@db:5432/risk')).toBe(
      'postgresql://risk:***@db:5432/risk',
    );
    expect(redactSecret('REDIS_URL', 'redis://redis:6379/0')).toBe('redis://redis:6379/0');
    expect(redactSecret('LOG_LEVEL', 'info')).toBe('info');
    expect(redactSecret('EMPTY_PASSWORD', '')).toBe('');
  });

  it('keeps the example .env password out of the facts', async () => {
    const [target] = await collectCompose({ projectDir: EXAMPLE, env: {} });
    const text = JSON.stringify(target);
    expect(text).not.toContain('change-me');
    const api = target!.data!.services.find((s) => s.name === 'api')!;
    expect(api.environment.DATABASE_URL?.value).toBe('postgresql://risk:***@pgbouncer:6432/risk');
    expect(api.environment.LOG_LEVEL?.value).toBe('info');
  });
});

// Issue 11, item 9: a marker set in .env (and in the process environment) and interpolated into
// every kind of compose field never reaches the facts, any of the 7 formats or stderr, while the
// values checks need (image tag, memory and CPU limits, volumes, timings) still come through.
const MARKER = 'Mk9-s3cr3t-7f3a2b';
const PROC_MARKER = 'Pq4-pr0c-e11d90';

const SECRET_COMPOSE = `name: shop
x-common: &common
  labels:
    via.anchor: "\${M}"
  environment:
    FROM_ANCHOR: "prefix-\${M}"
services:
  api:
    <<: *common
    image: "registry.example.com/api:\${TAG}"
    build:
      context: .
      args:
        TOKEN: \${M}
        PLAIN: "\${M}"
    command: ["uvicorn", "app:app", "--root-path", "/\${M}", "--workers", "\${WORKERS}"]
    entrypoint: sh -c "exec run --key=\${M}"
    healthcheck:
      test: ["CMD", "curl", "-f", "https://user:\${M}@localhost/health"]
      interval: \${INTERVAL}
    environment:
      LOG_FORMAT: \${M}
      UPSTREAM: https://\${M}@upstream.example.com/x
      FROM_PROCESS: \${PROC}
      DEFAULTED: \${UNSET_VAR:-literal-default}
      REQUIRED: \${UNSET_REQ:?set it like \${M}}
    labels:
      com.example.note: "\${M}"
      com.example.url: "https://\${M}@host"
    logging:
      driver: splunk
      options:
        splunk-token: \${M}
        max-size: \${LOG_SIZE}
    mem_limit: \${MEM}
    cpus: \${CPUS}
    ports:
      - "\${PORT}:8000"
    volumes:
      - \${DATA_DIR}:/data
    user: "\${M}"
    working_dir: /srv/\${M}
    extra_hosts:
      - "h:\${M}"
  worker:
    image: "registry.example.com/worker:\${TAG}"
    command: worker --password \${PROC}
    environment:
      - LIST_FORM=\${M}
    labels:
      - "list.label=\${M}"
    deploy:
      labels:
        d: \${M}
      resources:
        limits:
          memory: \${MEM}
          cpus: "\${CPUS}"
  cache:
    <<: *common
    image: redis:7
networks:
  back:
    driver_opts:
      secret: \${M}
volumes:
  data:
    driver_opts:
      o: "password=\${M}"
`;

describe('no value from .env or the environment enters the facts where checks do not need it', () => {
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-secrets-'));
    writeFileSync(join(dir, 'compose.yaml'), SECRET_COMPOSE);
    writeFileSync(
      join(dir, '.env'),
      [
        `M=${MARKER}`,
        'TAG=1.2.3',
        'WORKERS=4',
        'INTERVAL=30s',
        'LOG_SIZE=10m',
        'MEM=768m',
        'CPUS=1.5',
        'PORT=8080',
        'DATA_DIR=./data',
        '',
      ].join('\n'),
    );
    return dir;
  };

  it('keeps the settings checks need and leaves every other interpolated value as written', async () => {
    const [target] = await collectCompose({ projectDir: project(), env: { PROC: PROC_MARKER } });
    const text = JSON.stringify(target);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain(PROC_MARKER);
    const services = target!.data!.services;
    const api = services.find((s) => s.name === 'api')!;
    const worker = services.find((s) => s.name === 'worker')!;
    expect(api.image?.value).toBe('registry.example.com/api:1.2.3');
    expect(api.memoryLimit).toMatchObject({ value: 768 * 1024 * 1024, raw: '768m' });
    expect(api.cpuLimit?.value).toBe(1.5);
    expect(api.healthcheck?.intervalSeconds?.value).toBe(30);
    expect(api.logging?.options['max-size']?.value).toBe('10m');
    expect(api.volumes[0]).toMatchObject({ type: 'bind', source: './data', target: '/data' });
    expect(worker.memoryLimit?.value).toBe(768 * 1024 * 1024);
    expect(worker.cpuLimit?.value).toBe(1.5);
    // As written, where the environment filled them in; literals and defaults interpolated.
    expect(api.command?.value).toEqual([
      'uvicorn',
      'app:app',
      '--root-path',
      '/${M}',
      '--workers',
      '${WORKERS}',
    ]);
    expect(api.environment.LOG_FORMAT?.value).toBe('${M}');
    expect(api.environment.UPSTREAM?.value).toBe('https://${M}@upstream.example.com/x');
    const cache = services.find((s) => s.name === 'cache')!;
    expect(cache.environment.FROM_ANCHOR?.value).toBe('prefix-${M}');
    expect(cache.labels['via.anchor']).toBe('${M}');
    expect(api.environment.DEFAULTED?.value).toBe('literal-default');
    expect(api.labels['com.example.note']).toBe('${M}');
    expect(api.logging?.options['splunk-token']?.value).toBe('${M}');
    expect(worker.command?.value).toBe('worker --password ${PROC}');
    expect(target!.data!.unresolved).toContainEqual(
      expect.objectContaining({ variable: 'UNSET_REQ', message: 'set it like ${M}' }),
    );
  });

  it('keeps where a service is (URL host and port, *_HOST/*_PORT variables), never its credentials or path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-secrets-'));
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        'services:',
        '  api:',
        '    image: api:1',
        '    environment:',
        '      DATABASE_URL: postgres://app:${PW}@${DB_HOST}:${DB_PORT}/${PW}?sslmode=${PW}',
        '      CACHE_URL: redis://${PW}:6379/0',
        '      HOOK: https://${DB_HOST}/hooks/${PW}',
        '      DB_HOST: ${DB_HOST}',
        '      DB_NAME: ${PW}',
        '      ODD: postgres://u:${PW:-a/b@c}@${DB_HOST}/x',
        '  worker:',
        '    image: worker:1',
        '    environment:',
        '      - REDIS_PORT=${DB_PORT}',
        '      - REDIS_URL=redis://:${PW}@${PW}:6379/0',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, '.env'), `PW=${MARKER}\nDB_HOST=db\nDB_PORT=5432\n`);
    const [target] = await collectCompose({ projectDir: dir, env: {} });
    expect(JSON.stringify(target)).not.toContain(MARKER);
    const [api, worker] = target!.data!.services;
    // The password is masked once more by the URL redaction of the model.
    expect(api!.environment.DATABASE_URL?.value).toBe('postgres://app:***@db:5432/${PW}?sslmode=${PW}');
    // A host from a variable that does not name an address stays as written.
    expect(api!.environment.CACHE_URL?.value).toBe('redis://${PW}:6379/0');
    expect(api!.environment.HOOK?.value).toBe('https://db/hooks/${PW}');
    expect(api!.environment.DB_HOST?.value).toBe('db');
    expect(api!.environment.DB_NAME?.value).toBe('${PW}');
    expect(api!.environment.ODD?.value).toContain('@${DB_HOST}/x'); // a default holding / and @: as written
    expect(worker!.environment.REDIS_PORT?.value).toBe('5432');
    // A host that is a secret-bearing variable still cannot carry the marker out: it is the marker.
    expect(worker!.environment.REDIS_URL?.value).not.toContain(MARKER);
  });

  it('in none of the 7 formats, the saved facts or stderr', () => {
    const dir = project();
    const out = mkdtempSync(join(tmpdir(), 'strisk-secrets-out-'));
    const formats = ['json', 'junit', 'sarif', 'markdown', 'html', 'github'];
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/strisk.js'),
        'audit',
        dir,
        '-v',
        '--format',
        'terminal',
        ...formats.flatMap((f) => ['--format', `${f}=${join(out, `report.${f}`)}`]),
        '--save-facts',
        join(out, 'facts.json'),
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PROC: PROC_MARKER },
        timeout: 60_000,
      },
    );
    expect([0, 1], r.stderr).toContain(r.status);
    const written = [...formats.map((f) => `report.${f}`), 'facts.json'].map((f) => ({
      f,
      text: readFileSync(join(out, f), 'utf8'),
    }));
    for (const { f, text } of [
      ...written,
      { f: 'stdout', text: r.stdout },
      { f: 'stderr', text: r.stderr },
    ]) {
      expect(text, f).not.toContain(MARKER);
      expect(text, f).not.toContain(PROC_MARKER);
    }
    // The report did look at the service, with the interpolated values checks need.
    const facts = JSON.parse(written.find((w) => w.f === 'facts.json')!.text);
    expect(JSON.stringify(facts)).toContain('registry.example.com/api:1.2.3');
    expect(r.stdout).toMatch(/compose\/memory-limit/);
  });
});
