import type { Facts } from '../core/facts.js';
import type { Waiver } from '../core/report.js';
import type { Baseline } from './baseline.js';

/**
 * PostgreSQL and PgBouncer targets used to be named without their user, with the port and the
 * database always written out, and PgBouncer under its own scheme: `postgres://db:5432/app`,
 * `pgbouncer://db:6432/pgbouncer`. They are now named like every other source, by their redacted
 * URL (`postgres://auditor:***@db:5432/app`). Target names start evidence subjects, and subjects
 * make finding fingerprints, so a baseline, a recording (`--facts`) or a waiver written with the
 * old names would see every finding as new and fixed. Here a name of either form is matched to
 * this run's targets by what both forms keep: source, host, port and database.
 */
const SOURCES = ['postgres', 'pgbouncer'] as const;
type Source = (typeof SOURCES)[number];

/** The name a target of `source` had before (`postgres://db:5432/app`), from either form. */
export function legacyTargetName(source: Source, name: string): string | undefined {
  let u: URL;
  try {
    u = new URL(name);
  } catch {
    return undefined;
  }
  if (!/^(postgres|postgresql|pgbouncer):$/.test(u.protocol) || !u.hostname) return undefined;
  // Only PgBouncer names were ever written `pgbouncer://`.
  if (u.protocol === 'pgbouncer:' && source !== 'pgbouncer') return undefined;
  try {
    const db =
      decodeURIComponent(u.pathname.replace(/^\//, '')) || (source === 'pgbouncer' ? 'pgbouncer' : '');
    return `${source}://${decodeURIComponent(u.hostname)}:${u.port || '5432'}/${db}`;
  } catch {
    return undefined;
  }
}

/** A target of a run: from its facts, or from a report's `sources`. */
export interface NamedTarget {
  source: string;
  target: string;
}

/** The targets of a run's facts. */
export function runTargets(facts: Facts): NamedTarget[] {
  return Object.entries(facts.sources).flatMap(([source, ts]) =>
    (ts ?? []).map((t) => ({ source, target: t.target })),
  );
}

/**
 * A function that renames the target names in a text (a subject, a waiver's target), word by
 * word, to the names of `targets`; a word that is one of them, or matches none or several, is kept.
 */
export function targetRenamer(targets: readonly NamedTarget[]): (text: string) => string {
  const byKey = new Map<string, Set<string>>();
  const current = new Set<string>();
  for (const { source, target } of targets) {
    if (!(SOURCES as readonly string[]).includes(source)) continue;
    current.add(target);
    const key = legacyTargetName(source as Source, target);
    if (key) byKey.set(key, (byKey.get(key) ?? new Set()).add(target));
  }
  if (byKey.size === 0) return (text) => text;
  const rename = (word: string): string => {
    if (current.has(word) || !/^(postgres|postgresql|pgbouncer):\/\//.test(word)) return word;
    const found = new Set<string>();
    for (const source of SOURCES) {
      const key = legacyTargetName(source, word);
      for (const name of (key && byKey.get(key)) || []) found.add(name);
    }
    return found.size === 1 ? [...found][0]! : word;
  };
  return (text) => text.replace(/\S+/g, rename);
}

/** The baseline with its target names in this run's form: evidence and metric subjects. */
export function alignBaseline(baseline: Baseline, targets: readonly NamedTarget[]): Baseline {
  const rename = targetRenamer(targets);
  return {
    ...baseline,
    results: baseline.results.map((r) => ({
      ...r,
      ...(r.evidence ? { evidence: r.evidence.map((e) => ({ ...e, subject: rename(e.subject) })) } : {}),
      ...(r.metrics
        ? { metrics: r.metrics.map((m) => (m.subject ? { ...m, subject: rename(m.subject) } : m)) }
        : {}),
    })),
  };
}

/** Waivers whose target names a PostgreSQL or PgBouncer target the old way still cover it. */
export function alignWaivers(
  waivers: readonly Waiver[] | undefined,
  targets: readonly NamedTarget[],
): Waiver[] | undefined {
  if (!waivers) return undefined;
  const rename = targetRenamer(targets);
  return waivers.map((w) => (w.target ? { ...w, target: rename(w.target) } : w));
}
