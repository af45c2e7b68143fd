// Reading the compose facts for checks: the services of every compose target, one-shot items,
// worker counts, log drivers, resource limits and unresolved ${VAR}s, and the outcome over services.
import type { ComposeFacts, ComposeService } from '../collectors/compose/schema.js';
import type { DockerfileFacts } from '../collectors/dockerfile/schema.js';
import type { CheckInput, CheckOutcome, Evidence } from '../core/check.js';
import { worstStatus } from '../core/status.js';
import { type OutcomeWords, shortfallText } from './common.js';
import { commandText } from './compose-roles.js';
import { dockerfilesOf } from './dockerfile.js';

// Role inference is a fact helper (src/facts/compose-roles.ts); re-exported for the checks.
export {
  commandText,
  DATABASE_ROLES,
  databaseDataDirs,
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
} from './compose-roles.js';

export interface ServiceRef {
  service: ComposeService;
  facts: ComposeFacts;
}

/**
 * The Dockerfiles the check was given (declared `optional: ['dockerfile']` and read), for telling
 * a service that only builds an image (`oneShotReason`); undefined otherwise.
 */
export function composeDockerfiles(input: CheckInput): DockerfileFacts[] | undefined {
  return input.has('dockerfile') ? dockerfilesOf(input) : undefined;
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

interface Unresolved {
  variable: string;
  file: string;
  line: number;
}

/**
 * The variables of each file:line, in their order, indexed once per list: the checks ask per
 * value, and a scan of the whole list per question is quadratic in a file of thousands of services.
 */
const byLineCache = new WeakMap<readonly Unresolved[], Map<string, string[]>>();

function unresolvedByLine(unresolved: readonly Unresolved[]): Map<string, string[]> {
  let byLine = byLineCache.get(unresolved);
  if (!byLine) {
    byLine = new Map();
    for (const u of unresolved) {
      const key = `${u.line}\u0000${u.file}`;
      const vars = byLine.get(key);
      if (vars) vars.push(u.variable);
      else byLine.set(key, [u.variable]);
    }
    byLineCache.set(unresolved, byLine);
  }
  return byLine;
}

/**
 * The unresolved `${VAR}` references behind a located value: those on its line, narrowed to the
 * ones its raw text names when it keeps one.
 */
export function unresolvedAt(
  unresolved: readonly Unresolved[],
  loc: { file: string; line: number; raw?: string },
): string[] {
  const onLine = unresolvedByLine(unresolved).get(`${loc.line}\u0000${loc.file}`) ?? [];
  const named = loc.raw ? onLine.filter((v) => loc.raw?.includes(v)) : [];
  return [...new Set(named.length > 0 ? named : onLine)];
}

/**
 * Why a located value cannot be judged, as an evidence fragment, or undefined when it can.
 * An unresolved variable is a warning (the deployment may set it); a value the collector could
 * not convert is a failure. Neither is ever a pass.
 */
export function unjudgeable(
  unresolved: readonly Unresolved[],
  loc: { file: string; line: number; raw?: string; value: unknown },
): Pick<Evidence, 'status' | 'note' | 'observed'> | undefined {
  const vars = unresolvedAt(unresolved, loc);
  if (vars.length > 0) {
    return {
      status: 'warn',
      observed: loc.raw ?? null,
      note: `depends on unset ${vars.map((v) => `\${${v}}`).join(', ')}: cannot be judged here`,
    };
  }
  if (loc.value === null) {
    return {
      status: 'fail',
      observed: loc.raw ?? null,
      note: `unparseable value ${JSON.stringify(loc.raw ?? '')}`,
    };
  }
  return undefined;
}

/**
 * A service's resource limit (`cpus`, `memory`) before its value is judged. A missing limit, a limit
 * of 0 (unlimited) and one that cannot be judged all fail: those come back `judged`, with the fix.
 * Else the evidence, located at the limit, and its value for the check to judge.
 */
export function resourceLimit(
  svc: { name: string; file: string; line: number },
  limit: { file: string; line: number; raw?: string; value: number | null } | undefined,
  unresolved: readonly Unresolved[],
  how: {
    expected: string;
    /** The note when no limit is set at all. */
    missing: string;
    fix: string[];
    /** Adds the check's context (the service's role) to a note. */
    withNote: (note?: string) => string | undefined;
  },
): { judged: Judged } | { at: Evidence; value: number } {
  const { name } = svc;
  const { fix, withNote } = how;
  const base: Evidence = {
    subject: `service ${name}`,
    file: svc.file,
    line: svc.line,
    expected: how.expected,
  };
  if (!limit || limit.value === 0) {
    const note = limit ? 'a limit of 0 means unlimited' : how.missing;
    return {
      judged: { name, fix, evidence: { ...base, observed: 'none', status: 'fail', note: withNote(note) } },
    };
  }
  const at: Evidence = { ...base, file: limit.file, line: limit.line };
  const bad = unjudgeable(unresolved, limit);
  if (bad || limit.value === null) {
    return { judged: { name, fix, evidence: { ...at, status: 'fail', ...bad, note: withNote(bad?.note) } } };
  }
  return { at, value: limit.value };
}

/** A compose `services:` snippet: each service name with its lines, indented under it. */
export function servicesYaml(entries: readonly { name: string; lines: readonly string[] }[]): string {
  const out = ['services:'];
  for (const e of entries) {
    out.push(`  ${e.name}:`, ...e.lines.map((l) => `    ${l}`));
  }
  return out.join('\n');
}

/** One judged object (a service): its evidence and, when it falls short, the YAML lines that fix it. */
export interface Judged {
  name: string;
  evidence: Evidence;
  fix?: string[];
}

/**
 * The outcome over judged services: the worst status, a one-line message naming the services
 * that fall short, and one compose snippet fixing them all.
 */
export function outcomeOf(items: readonly Judged[], words: OutcomeWords): CheckOutcome {
  const evidence = items.map((i) => i.evidence);
  const status = worstStatus(evidence);
  const fixes = items.filter((i) => i.fix && i.fix.length > 0 && i.evidence.status !== 'pass');
  return {
    status,
    message: status === 'pass' ? words.passed : shortfallText(items, 'service', words),
    evidence,
    remediation:
      fixes.length > 0
        ? {
            summary: words.summary,
            change: servicesYaml(fixes.map((i) => ({ name: i.name, lines: i.fix ?? [] }))),
            applies: words.applies ?? 'redeploy',
          }
        : undefined,
  };
}
