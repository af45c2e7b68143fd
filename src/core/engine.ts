import type { z } from 'zod';
import { sectionOf } from './catalogue.js';
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence, Severity } from './check.js';
import type { Facts, SourceName, TargetFacts } from './facts.js';
import type { CheckResult } from './report.js';

export interface RunOptions {
  /** Per-check options from the config, validated against each check's schema. */
  options?: Record<string, unknown>;
  severity?: Record<string, Severity>;
  now?: () => number;
  /** The results a `readsResults` check judges. */
  results?: readonly CheckResult[];
}

const STATUSES: readonly string[] = ['pass', 'fail', 'warn', 'skip', 'error'];

/** What a plugin check returned is not a result: said in one line rather than breaking a reporter. */
function malformed(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null) return `returned ${o === null ? 'null' : typeof o}, not a result`;
  const r = o as Partial<CheckOutcome>;
  if (!STATUSES.includes(r.status as string)) return `returned status ${JSON.stringify(r.status)}`;
  if (!Array.isArray(r.evidence)) return 'returned no evidence list';
  return undefined;
}

function sourceTargets(facts: Facts, name: SourceName): TargetFacts[] | undefined {
  return facts.sources[name] as TargetFacts[] | undefined;
}

function describeFailure(name: SourceName, t: TargetFacts): Evidence {
  return { subject: `${name} ${t.target}`, observed: t.status, note: t.message ?? t.status, status: 'fail' };
}

/**
 * Runs one check against the facts. The check sees only the sources it declared. A required
 * source absent from the facts makes it `skip`; one whose every target failed makes it `error`;
 * a check that throws becomes `error`. Some targets failing and the check passing on the rest
 * is still `error`: an unread target is an unknown, and an unknown is never a pass.
 */
export function runCheck(def: CheckDefinition, facts: Facts, opts: RunOptions = {}): CheckResult {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const base = {
    id: def.id,
    seedRef: def.seedRef,
    section: sectionOf(def),
    kind: def.kind,
    title: def.title,
    severity: opts.severity?.[def.id] ?? def.severity,
  };
  // A skip always says why (a check that gives no reason had nothing to judge); other statuses never carry one.
  const finish = ({ skipReason, ...o }: CheckOutcome): CheckResult => ({
    ...base,
    // A result not judged (skip, error) keeps the neutral wording of what is checked.
    title: o.status === 'fail' || o.status === 'warn' ? def.failureTitle : def.title,
    ...o,
    ...(o.status === 'skip' ? { skipReason: skipReason ?? { kind: 'not-applicable' as const } } : {}),
    durationMs: Math.round((now() - started) * 1000) / 1000,
  });

  const failedTargets: Evidence[] = [];
  for (const name of def.requires) {
    const targets = sourceTargets(facts, name);
    if (!targets || targets.length === 0) {
      return finish({
        status: 'skip',
        skipReason: { kind: 'source-not-configured', source: name },
        message: `source ${name} is not configured`,
        evidence: [],
      });
    }
    const bad = targets.filter((t) => t.status !== 'ok');
    failedTargets.push(...bad.map((t) => describeFailure(name, t)));
    if (bad.length === targets.length) {
      return finish({
        status: 'error',
        message: `source ${name} could not be read: ${bad.map((t) => t.message ?? t.status).join('; ')}`,
        evidence: failedTargets,
      });
    }
  }

  const parsed = def.options.safeParse(opts.options?.[def.id] ?? {});
  if (!parsed.success) {
    return finish({ status: 'error', message: `invalid options: ${parsed.error.message}`, evidence: [] });
  }
  const declared = new Set<SourceName>([...def.requires, ...(def.optional ?? [])]);
  const input: CheckInput = {
    source: (name) => {
      if (!declared.has(name)) throw new Error(`check ${def.id} read source ${name} it did not declare`);
      return (sourceTargets(facts, name) ?? []).filter((t) => t.status === 'ok') as never;
    },
    has: (name) => declared.has(name) && (sourceTargets(facts, name)?.length ?? 0) > 0,
    machine: facts.machine,
    roles: facts.roles,
    collectedAt: facts.collectedAt,
    attestations: (facts.attestations ?? []).filter((a) => a.check === def.id),
    results: def.readsResults ? (opts.results ?? []) : [],
  };
  let outcome: CheckOutcome;
  try {
    outcome = def.run(input, parsed.data as z.output<typeof def.options>);
  } catch (err) {
    return finish({
      status: 'error',
      message: `check failed: ${err instanceof Error ? err.message : String(err)}`,
      evidence: failedTargets,
    });
  }
  const invalid = malformed(outcome);
  if (invalid)
    return finish({ status: 'error', message: `check failed: ${invalid}`, evidence: failedTargets });
  if (failedTargets.length > 0) {
    const status = outcome.status === 'fail' ? 'fail' : 'error';
    return finish({
      ...outcome,
      status,
      message: `${outcome.message ?? ''}${outcome.message ? '; ' : ''}some targets could not be read`,
      evidence: [...outcome.evidence, ...failedTargets],
    });
  }
  return finish(outcome);
}

/**
 * Runs the checks, those that judge results (`readsResults`) last, on the results of the others:
 * the ones the user selected, with the user's options. Results keep the order of `defs`.
 */
export function runChecks(
  defs: readonly CheckDefinition[],
  facts: Facts,
  opts: RunOptions = {},
): CheckResult[] {
  const first = new Map(defs.filter((d) => !d.readsResults).map((d) => [d, runCheck(d, facts, opts)]));
  const results = [...first.values()];
  return defs.map((d) => first.get(d) ?? runCheck(d, facts, { ...opts, results }));
}
