// Helpers shared by the compose checks: the services of every compose target, one-shot items,
// worker counts, log drivers. Not a check.
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import type { CheckInput, CheckOutcome } from '../../core/check.js';
import { commandText } from '../../facts/compose-roles.js';
import { type Judged, outcomeOf } from '../helpers.js';

// Role inference is a fact helper (src/facts/compose-roles.ts); re-exported for the checks.
export {
  commandText,
  DATABASE_ROLES,
  imageRepository,
  imageRole,
  isLongRunning,
  oneShotReason,
  type RoleInfo,
  redisPersistenceOff,
  roleNote,
  roleReason,
  runsApiServer,
  serviceRole,
} from '../../facts/compose-roles.js';

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
      message:
        'no long-running service: every one runs once (see --explain-roles; give one that runs for good a role under roles: in the config)',
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
