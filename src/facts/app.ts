// Pure helpers the app/* checks share: no I/O. Which server command runs, its worker count,
// dependency lookups, evidence at a file line, and how unparsed files turn a result into an error.

import type { AppFacts, Call, Dependency, ServerCommand, Value } from '../collectors/app/schema.js';
import type { CheckInput, CheckOutcome, Evidence } from '../core/check.js';

export interface AppTarget {
  target: string;
  data: AppFacts;
}

export function appTargets(input: CheckInput): AppTarget[] {
  return input.source('app').flatMap((t) => (t.data ? [{ target: t.target, data: t.data }] : []));
}

export function at(loc: { file: string; line: number }): Pick<Evidence, 'subject' | 'file' | 'line'> {
  return { subject: `${loc.file}:${loc.line}`, file: loc.file, line: loc.line };
}

/**
 * The outcome, unless files could not be parsed and the outcome is not already a failure: then the
 * findings are incomplete, and an unknown is never a pass, so the check errors (the engine turns a
 * throw into an `error` result) naming the files.
 */
export function guarded(apps: AppTarget[], outcome: CheckOutcome): CheckOutcome {
  const errors = apps.flatMap((a) => a.data.errors);
  if (errors.length === 0 || outcome.status === 'fail') {
    if (errors.length > 0) {
      outcome.evidence.push(
        ...errors.map((e) => ({ ...at(e), observed: 'unparsed', note: e.message, status: 'info' as const })),
      );
    }
    return outcome;
  }
  throw new Error(
    `${errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('; ')} (findings for these files are unknown)`,
  );
}

export const SOURCE_RANK: Record<ServerCommand['source'], number> = {
  compose: 0,
  procfile: 1,
  dockerfile: 2,
  python: 3,
  'gunicorn-config': 4,
};

/**
 * The commands that really start the server: compose `command` overrides the Dockerfile's CMD,
 * so the highest-ranked source present wins; a gunicorn config fills in what the command omits.
 */
export function effectiveServers(data: AppFacts): ServerCommand[] {
  const real = data.servers.filter((s) => s.source !== 'gunicorn-config');
  const config = data.servers.find((s) => s.source === 'gunicorn-config');
  if (real.length === 0) return config ? [config] : [];
  const best = Math.min(...real.map((s) => SOURCE_RANK[s.source]));
  return real
    .filter((s) => SOURCE_RANK[s.source] === best)
    .map((s) =>
      s.server === 'gunicorn' && config
        ? {
            ...s,
            options: { ...config.options, ...s.options },
            workers: s.workers !== undefined ? s.workers : config.workers,
            workerClass: s.workerClass ?? config.workerClass,
          }
        : s,
    );
}

/** Worker processes: as given, else the server's default of 1; null when not a literal number. */
export function workersOf(s: ServerCommand): { workers: number | null; defaulted: boolean } {
  if (s.workers === undefined) return { workers: 1, defaulted: true };
  return { workers: s.workers, defaulted: false };
}

export function depOf(data: AppFacts, name: string): Dependency | undefined {
  return (
    data.dependencies.find((d) => d.name === name && d.group !== 'lock') ??
    data.dependencies.find((d) => d.name === name)
  );
}

/** Imports of a module or of anything under it. */
export function importsOf(data: AppFacts, module: string) {
  return data.imports.filter(
    (i) => i.module === module || i.module.startsWith(`${module}.`) || `${i.module}.${i.name}` === module,
  );
}

/** `requests.*` matches `requests.get`; `time.sleep` only itself; `x().*` any method of that client. */
export function matchesAny(qualified: string, patterns: readonly string[]): string | undefined {
  return patterns.find((p) => (p.endsWith('*') ? qualified.startsWith(p.slice(0, -1)) : qualified === p));
}

export function callsMatching(data: AppFacts, patterns: readonly string[]): Call[] {
  return data.calls.filter((c) => matchesAny(c.qualified, patterns));
}

/** A dev-only file by its path: settings for development, tests, local runs. */
export const isDevFile = (file: string): boolean =>
  /(^|[/_.-])(dev|develop|development|local|test|tests|testing)([/_.-]|$)/i.test(file);

/** The value as shown in evidence: the literal, the env default, or the text. */
export function shown(v: Value): string | number | boolean | null {
  if (v.value !== undefined) return v.value;
  return v.text;
}

export function valueNote(v: Value): string | undefined {
  const parts: string[] = [];
  if (v.env)
    parts.push(`from env ${v.env}${v.value !== undefined ? ` (default ${JSON.stringify(v.value)})` : ''}`);
  if (v.from) parts.push(`defined at ${v.from.file}:${v.from.line}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * Evidence for a finding that is an absence (no server command, no rate limiter): where the app
 * is, so that every warn or fail names a place. Each FastAPI instance, else the directory read.
 */
export function absence(
  apps: AppTarget[],
  observed: string,
  expected: string,
  status: 'warn' | 'fail',
  note?: string,
): Evidence[] {
  return apps.flatMap(({ data }) => {
    const where =
      data.apps.length > 0 ? data.apps.map((a) => ({ ...at(a), app: a.name })) : [{ subject: data.dir }];
    return where.map(({ app, ...loc }: { app?: string; subject: string; file?: string; line?: number }) => ({
      ...loc,
      observed,
      expected,
      status,
      ...(note || app
        ? { note: [app ? `FastAPI instance ${app}` : undefined, note].filter(Boolean).join('; ') }
        : {}),
    }));
  });
}
