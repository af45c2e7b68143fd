// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose `${VAR}` references, not templates
// `env_file:` of compose services: read, merged under `environment:` with file:line, secrets redacted.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import startupOrder from '../../src/checks/compose/startup-order.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import type { ComposeFacts, ComposeService } from '../../src/collectors/compose/schema.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import { InputError } from '../../src/core/errors.js';
import type { Facts } from '../../src/core/facts.js';
import { liveFacts } from '../support/fixtures.js';

/** A project directory holding the given files (paths relative to it). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'strisk-env-file-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function collect(dir: string, files?: string[], env: Record<string, string> = {}) {
  const [t] = await collectCompose({ projectDir: dir, env, ...(files ? { files } : {}) });
  expect(t?.status).toBe('ok');
  return t!;
}

const service = (facts: ComposeFacts, name: string): ComposeService => {
  const s = facts.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

const plain = (s: ComposeService) =>
  Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, `${v.value}@${v.file}:${v.line}`]));

describe('compose collector: env_file', () => {
  it('reads the string, list and long forms, in order, with environment: winning and file:line for each value', async () => {
    const dir = project({
      'compose.yaml': `services:
  api:
    image: acme/api:1
    env_file: env/api.env
    environment:
      DB_NAME: from-compose
      LOG_LEVEL:
  worker:
    image: acme/api:1
    env_file:
      - env/api.env
      - path: env/worker.env
        required: true
      - path: env/local.env
        required: false
`,
      'env/api.env': '# the app\nDB_HOST=postgres\nDB_NAME=app\nexport LOG_LEVEL=info\nQUOTED="a b"\n',
      'env/worker.env': "DB_NAME=jobs\nQUEUES='high,low'\n",
    });
    const t = await collect(dir);
    expect(t.message).toBeUndefined();
    const facts = t.data as ComposeFacts;
    // environment: wins over the file; its bare LOG_LEVEL (no value) does not hide the file's.
    expect(plain(service(facts, 'api'))).toEqual({
      DB_HOST: 'postgres@env/api.env:2',
      DB_NAME: 'from-compose@compose.yaml:6',
      LOG_LEVEL: 'info@env/api.env:4',
      QUOTED: 'a b@env/api.env:5',
    });
    // A later file wins over an earlier one; a missing optional file is fine.
    const worker = service(facts, 'worker');
    expect(plain(worker)).toEqual({
      DB_HOST: 'postgres@env/api.env:2',
      DB_NAME: 'jobs@env/worker.env:1',
      LOG_LEVEL: 'info@env/api.env:4',
      QUOTED: 'a b@env/api.env:5',
      QUEUES: 'high,low@env/worker.env:2',
    });
    expect(worker.envFiles).toEqual([
      { path: 'env/api.env', required: true, file: 'compose.yaml', line: 11 },
      { path: 'env/worker.env', required: true, file: 'compose.yaml', line: 12 },
      { path: 'env/local.env', required: false, missing: true, file: 'compose.yaml', line: 14 },
    ]);
  });

  it('resolves paths from the compose file that names them, also through extends', async () => {
    const dir = project({
      'deploy/compose.yaml': `services:
  api:
    extends:
      file: ../common/base.yaml
      service: base
    env_file: ./api.env
`,
      'deploy/api.env': 'REDIS_HOST=cache\n',
      'common/base.yaml': 'services:\n  base:\n    image: acme/api:1\n    env_file: base.env\n',
      'common/base.env': 'DB_HOST=db\n',
    });
    const facts = (await collect(dir, ['deploy/compose.yaml'])).data as ComposeFacts;
    expect(plain(service(facts, 'api'))).toEqual({
      DB_HOST: 'db@common/base.env:1',
      REDIS_HOST: 'cache@deploy/api.env:1',
    });
  });

  it('keeps secrets out: secret-named values, URL passwords and values from the environment, but not addresses', async () => {
    const dir = project({
      'compose.yaml': 'services:\n  api:\n    image: acme/api:1\n    env_file: .env.app\n',
      '.env.app': [
        'DB_PASSWORD=hunter2',
        'SECRET_KEY="s3cr3t$$"',
        'DATABASE_URL=postgres://app:hunter2@db:5432/app',
        'SENTRY_DSN=${SENTRY_DSN}',
        'PG_HOST=${POSTGRES_HOST}',
        'EMPTY_TOKEN=',
      ].join('\n'),
    });
    const t = await collect(dir, undefined, {
      SENTRY_DSN: 'https://key@sentry.io/1',
      POSTGRES_HOST: 'pg-primary',
    });
    const env = service(t.data as ComposeFacts, 'api').environment;
    expect(env.DB_PASSWORD?.value).toBe('***');
    expect(env.SECRET_KEY?.value).toBe('***');
    expect(env.DATABASE_URL?.value).not.toContain('hunter2');
    expect(env.DATABASE_URL?.value).toContain('@db:5432/app');
    // A value the environment gave stays as written; an address name keeps the resolved host.
    expect(env.SENTRY_DSN?.value).toBe('${SENTRY_DSN}');
    expect(env.PG_HOST?.value).toBe('pg-primary');
    expect(env.EMPTY_TOKEN?.value).toBe('');
    expect(JSON.stringify(t)).not.toMatch(/hunter2|s3cr3t|sentry\.io/);
  });

  it('a missing required env_file is reported in the target, not guessed; a malformed one is an input error', async () => {
    const dir = project({
      'compose.yaml':
        'services:\n  web:\n    image: acme/web:1\n    env_file: .env.production\n  side:\n    image: acme/web:1\n    env_file: [.env.production]\n',
    });
    const t = await collect(dir);
    expect(t.message).toBe(
      'required env_file not found, read without its variables (compose would refuse to start these services): ' +
        '.env.production (web at compose.yaml:4, side at compose.yaml:7)',
    );
    expect(service(t.data as ComposeFacts, 'web').envFiles?.[0]?.missing).toBe(true);
    expect(service(t.data as ComposeFacts, 'web').environment).toEqual({});

    const bad = project({
      'compose.yaml': 'services:\n  web:\n    image: acme/web:1\n    env_file: app.env\n',
      'app.env': 'OK=1\nNOT A VARIABLE\n',
    });
    const err = await collectCompose({ projectDir: bad, env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe('app.env');
    expect((err as InputError).line).toBe(2);

    const badForm = project({
      'compose.yaml': 'services:\n  web:\n    image: acme/web:1\n    env_file:\n      - required: false\n',
    });
    const formErr = await collectCompose({ projectDir: badForm, env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(formErr).toBeInstanceOf(InputError);
    expect((formErr as InputError).message).toMatch(/needs a `path`/);
  });
});

const factsOf = (data: ComposeFacts): Facts =>
  liveFacts({ compose: [{ target: 'compose.yaml', status: 'ok', durationMs: 0, data }] });

describe('startup-order with env_file and healthy apps in between (netbox)', () => {
  const compose = (workerEnvFile: string, netboxHealth: boolean) => `services:
  netbox:
    image: netboxcommunity/netbox:v4.1
    depends_on: [postgres]
    env_file: env/netbox.env
${netboxHealth ? '    healthcheck:\n      test: curl -f http://localhost:8080/login/ || exit 1\n      interval: 15s\n' : ''}  worker:
    image: netboxcommunity/netbox:v4.1
    command: [/opt/netbox/venv/bin/python, /opt/netbox/netbox/manage.py, rqworker]
    env_file: ${workerEnvFile}
    healthcheck:
      test: ps -aux | grep -q rqworker
      interval: 15s
    depends_on:
      netbox:
        condition: service_healthy
  postgres:
    image: postgres:16-alpine
`;

  const judged = async (files: Record<string, string>) => {
    const facts = (await collect(project(files))).data as ComposeFacts;
    const r = runCheck(startupOrder as CheckDefinition, factsOf(facts));
    return r.evidence.find((e) => e.subject === 'service worker → postgres');
  };

  it('the env file shows the worker uses postgres; waiting for a healthy netbox that depends on it passes', async () => {
    const e = await judged({
      'compose.yaml': compose('env/netbox.env', true),
      'env/netbox.env': 'DB_HOST=postgres\n',
    });
    expect(e?.status).toBe('pass');
    expect(e?.observed).toBe('service_healthy on netbox');
    expect(e?.note).toMatch(/^netbox is healthy only once it is up, and it depends on postgres/);
  });

  it('without a healthcheck on the app in between, start order only fails', async () => {
    const e = await judged({
      'compose.yaml': compose('env/netbox.env', false),
      'env/netbox.env': 'DB_HOST=postgres\n',
    });
    expect(e?.status).toBe('fail');
  });

  it('an env file that is not there leaves the worker not judged, and says so', async () => {
    const e = await judged({
      'compose.yaml': compose('env/missing.env', true),
      'env/netbox.env': 'DB_HOST=postgres\n',
    });
    expect(e?.status).toBe('info');
    expect(e?.note).toMatch(
      /no depends_on or address of postgres \(env_file env\/missing\.env not found: not read\): not judged$/,
    );
  });
});
