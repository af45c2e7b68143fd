// What a compose service is: its role (app, clickhouse, postgres, redis, pgbouncer) and whether it
// runs for good or once. Shared by the compose checks; not a check itself.
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import type { CheckInput, CheckOutcome } from '../../core/check.js';
import { type Judged, outcomeOf } from '../helpers.js';

export type KnownRole = 'app' | 'clickhouse' | 'postgres' | 'redis' | 'pgbouncer';
export const DATABASE_ROLES = ['clickhouse', 'postgres', 'redis'] as const;

export interface RoleInfo {
  /** A known role, a role the config names, or undefined when nothing says. */
  role?: string;
  from: 'config' | 'image' | 'command' | 'build' | 'none';
}

export interface ServiceRef {
  service: ComposeService;
  facts: ComposeFacts;
}

/** Every service of every readable compose target. */
export function composeServices(input: CheckInput): ServiceRef[] {
  return input
    .source('compose')
    .flatMap((t) => (t.data ? t.data.services.map((service) => ({ service, facts: t.data! })) : []));
}

/** `docker.io/library/postgres:16-alpine@sha256:…` -> `postgres`; `ghcr.io/org/api:1` -> `org/api`. */
export function imageRepository(image: string): string {
  let ref = image.trim().toLowerCase().split('@')[0] ?? '';
  const parts = ref.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) parts.shift();
  ref = parts.join('/').replace(/^library\//, '');
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
}

const IMAGE_ROLES: [RegExp, KnownRole][] = [
  [/^(clickhouse|yandex)\/clickhouse-server$|^bitnami\/clickhouse$/, 'clickhouse'],
  [/^postgres$|^postgis\/|^bitnami\/postgresql(-repmgr)?$|^timescale\/timescaledb/, 'postgres'],
  [/^redis$|^bitnami\/redis$|^redis\/redis-stack(-server)?$|^valkey$|^(valkey|bitnami)\/valkey$/, 'redis'],
  [/^(.+\/)?pgbouncer$/, 'pgbouncer'],
];

/** The role an image's repository tells (`postgres:16` -> postgres), if any. */
export function imageRole(image: string): KnownRole | undefined {
  const repo = imageRepository(image);
  return IMAGE_ROLES.find(([re]) => re.test(repo))?.[1];
}

const ASGI_SERVER = /(^|[\s/"'])(uvicorn|gunicorn|hypercorn|granian|fastapi\s+run)\b/;

export function commandText(service: ComposeService): string {
  const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(' ') : (v ?? ''));
  return `${text(service.entrypoint?.value)} ${text(service.command?.value)}`.trim();
}

/** The command starts an ASGI/WSGI server: the service serves the API. */
export function runsApiServer(service: ComposeService): boolean {
  return ASGI_SERVER.test(commandText(service));
}

/**
 * The role of a service: the config's `roles` (service name -> role) first, then the image
 * (`clickhouse/clickhouse-server`, `postgres`, `postgis/*`, `bitnami/redis`, `valkey`, `*\/pgbouncer`…),
 * then `app` for a command running uvicorn/gunicorn/hypercorn or a service built from source.
 */
export function serviceRole(service: ComposeService, roles: Record<string, string>): RoleInfo {
  const configured = roles[service.name];
  if (configured) return { role: configured, from: 'config' };
  const byImage = service.image?.value ? imageRole(service.image.value) : undefined;
  if (byImage) return { role: byImage, from: 'image' };
  if (runsApiServer(service)) return { role: 'app', from: 'command' };
  if (service.build) return { role: 'app', from: 'build' };
  return { from: 'none' };
}

/** Roles a user may give in the config to mark a service as a one-shot job. */
const ONE_SHOT_ROLES = new Set(['job', 'oneshot', 'one-shot', 'task', 'tool', 'tools']);
const ONE_SHOT_PROFILES = new Set([
  'tools',
  'tool',
  'tooling',
  'cli',
  'migrate',
  'migration',
  'migrations',
  'init',
  'setup',
  'jobs',
]);
/** Names and commands of run-once containers: migrations, schema or bucket setup, seeding, backups. */
const ONE_SHOT_WORDS =
  /\b(migrat\w*|alembic|upgrade|init\w*|setup|seed\w*|bootstrap|create[-_]?\w*|provision\w*|backup|restore|wait[-_]for\w*)\b/i;

/**
 * Why a service is a one-shot job rather than a long-running one, or undefined when it runs for
 * good. A service is one-shot when the config gives it a job role (`job`, `oneshot`, `task`,
 * `tool`), when it belongs to a tools-like profile (`tools`, `cli`, `migrate`, `init`, `setup`…),
 * or when it does not restart on its own (`restart` absent, `"no"` or `on-failure`) and its name
 * or command says it runs once (migrate, alembic, init, setup, seed, create…, backup…) and does
 * not also start an API server (`alembic upgrade head && uvicorn …` serves). Anything else is
 * long-running: when in doubt the service is judged.
 */
export function oneShotReason(service: ComposeService, roles: Record<string, string>): string | undefined {
  const configured = roles[service.name];
  if (configured && ONE_SHOT_ROLES.has(configured)) return `role ${configured} in the config`;
  const profile = service.profiles.find((p) => ONE_SHOT_PROFILES.has(p));
  if (profile) return `profile ${profile}`;
  const restart = service.restart?.value ?? service.deployRestartCondition?.value;
  const restarts = restart !== undefined && !/^(no|none|on-failure(:\d+)?)$/.test(restart);
  if (restarts || runsApiServer(service)) return undefined;
  const word = ONE_SHOT_WORDS.exec(`${service.name} ${commandText(service)}`);
  return word ? `restart ${restart ?? 'not set'} and runs "${word[0]}"` : undefined;
}

export function isLongRunning(service: ComposeService, roles: Record<string, string>): boolean {
  return oneShotReason(service, roles) === undefined;
}

/** The outcome of a check over services when the compose model has none: a skip. */
export function noServices(): CheckOutcome {
  return { status: 'skip', message: 'the compose model has no services', evidence: [] };
}

/** A one-shot service in a check of long-running ones: listed, as not judged. */
export function oneShotItem(service: ComposeService, reason: string, expected?: string): Judged {
  return {
    name: service.name,
    evidence: {
      subject: `service ${service.name}`,
      file: service.file,
      line: service.line,
      ...(expected === undefined ? {} : { expected }),
      status: 'info',
      note: `one-shot (${reason}): not judged`,
    },
  };
}

/** The outcome over long-running services (`outcomeOf`); a skip when every item is a one-shot. */
export function longRunningOutcome(
  items: readonly Judged[],
  words: Parameters<typeof outcomeOf>[1],
): CheckOutcome {
  if (!items.some((i) => i.evidence.status !== 'info')) {
    return {
      status: 'skip',
      message: 'no long-running service in the compose model',
      evidence: items.map((i) => i.evidence),
    };
  }
  return outcomeOf(items, words);
}

/**
 * Worker processes of an app container: `--workers N` / `-w N` in its command, else
 * `WEB_CONCURRENCY`, which uvicorn and gunicorn both read. Undefined when neither says.
 */
export function workerCount(service: ComposeService): { count: number; from: string } | undefined {
  const m = /(?:--workers[=\s]+|(?:^|\s)-w\s*)(\d+)\b/.exec(commandText(service));
  if (m) return { count: Number(m[1]), from: 'command' };
  const env = service.environment.WEB_CONCURRENCY?.value;
  if (env && /^\d+$/.test(env)) return { count: Number(env), from: 'WEB_CONCURRENCY' };
  return undefined;
}

/** Logging drivers that send container output off the host (Docker keeps a rotated local cache). */
export const SHIPPING_DRIVERS = [
  'fluentd',
  'gelf',
  'syslog',
  'awslogs',
  'gcplogs',
  'splunk',
  'etwlogs',
  'logentries',
  'loki',
  'grafana/loki-docker-driver',
];

/** A logging driver name without a plugin tag: `grafana/loki-docker-driver:latest` -> `…driver`. */
export const driverName = (driver: string): string =>
  driver
    .trim()
    .toLowerCase()
    .replace(/:[^/]*$/, '');
