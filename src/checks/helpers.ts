// Small helpers shared by checks: units, evidence locations, statuses, unresolved values.
import { z } from 'zod';
import type { CheckOutcome, Evidence, OutcomeStatus, Remediation } from '../core/check.js';

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;

export const mib = (n: number): number => n * MIB;
export const gib = (n: number): number => n * GIB;

// Sizes are shown by the one number formatter (`512 MiB`), shared with the reporters.
export { formatBytes } from '../core/units.js';

/** Docker's short form for compose files: `512M`, `16G`, `1536M`. */
export function dockerSize(bytes: number): string {
  if (bytes % GIB === 0) return `${bytes / GIB}G`;
  if (bytes % MIB === 0) return `${bytes / MIB}M`;
  return `${Math.ceil(bytes / KIB)}K`;
}

/**
 * Parses a size the way Docker's go-units `RAMInBytes` does (log `max-size`, `mem_limit`):
 * binary multipliers, `10m` = `10MB` = `10MiB` = 10 × 2^20, a bare number is bytes.
 */
export function parseDockerSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp])?i?b?\s*$/i.exec(text);
  if (!m) return null;
  const power = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.round(Number(m[1]) * KIB ** power);
}

/** An option holding a size: bytes, or Docker's text form (`512m`, `16g`). */
export const sizeOption = (bytes: number) =>
  z
    .union([z.number().positive(), z.string()])
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : parseDockerSize(v);
      if (n === null) ctx.addIssue({ code: 'custom', message: `not a size: ${v}` });
      return n ?? 0;
    })
    .default(bytes);

/** A strictly non-negative integer written as text (`"3"`), else null. */
export function parseCount(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/**
 * The worst of the evidence statuses: any fail fails, else any warn warns, else pass (info counts
 * as pass). `whenEmpty`, where given, is the status of no evidence at all: a check that found
 * nothing to judge says so rather than passing.
 */
export function worstStatus<E extends OutcomeStatus = never>(
  evidence: readonly Pick<Evidence, 'status'>[],
  whenEmpty?: E,
): 'fail' | 'warn' | 'pass' | E {
  if (whenEmpty !== undefined && evidence.length === 0) return whenEmpty;
  if (evidence.some((e) => e.status === 'fail')) return 'fail';
  if (evidence.some((e) => e.status === 'warn')) return 'warn';
  return 'pass';
}

export function countStatus(evidence: readonly Evidence[], status: Evidence['status']): number {
  return evidence.filter((e) => e.status === status).length;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

interface Unresolved {
  variable: string;
  file: string;
  line: number;
}

/**
 * The unresolved `${VAR}` references behind a located value: those on its line, narrowed to the
 * ones its raw text names when it keeps one.
 */
export function unresolvedAt(
  unresolved: readonly Unresolved[],
  loc: { file: string; line: number; raw?: string },
): string[] {
  const onLine = unresolved.filter((u) => u.file === loc.file && u.line === loc.line).map((u) => u.variable);
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
export function outcomeOf(
  items: readonly Judged[],
  words: {
    passed: string;
    failed: string;
    warned?: string;
    summary: string;
    applies?: Remediation['applies'];
  },
): CheckOutcome {
  const evidence = items.map((i) => i.evidence);
  const status = worstStatus(evidence);
  const names = (s: Evidence['status']) => [
    ...new Set(items.filter((i) => i.evidence.status === s).map((i) => i.name)),
  ];
  const parts: string[] = [];
  const failed = names('fail');
  const warned = names('warn');
  if (failed.length > 0)
    parts.push(`${plural(failed.length, 'service')} ${words.failed}: ${failed.join(', ')}`);
  if (warned.length > 0)
    parts.push(`${plural(warned.length, 'service')} ${words.warned ?? 'to review'}: ${warned.join(', ')}`);
  const fixes = items.filter((i) => i.fix && i.fix.length > 0 && i.evidence.status !== 'pass');
  return {
    status,
    message: status === 'pass' ? words.passed : parts.join('; '),
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
