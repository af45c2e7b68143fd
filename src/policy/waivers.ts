import picomatch from 'picomatch';
import { z } from 'zod';
import type { Evidence } from '../core/check.js';
import type { AppliedWaiver, CheckResult, Waiver, WaiverStatus } from '../core/report.js';
import { daysUntil } from './dates.js';

/** A waiver is warned about this many days before it expires. */
export const EXPIRY_WARNING_DAYS = 14;

export const WaiverSchema = z.strictObject({
  check: z.string().min(1),
  /** An evidence subject (`service api`), its name (`api`), its file, or a glob of the subject. */
  target: z.string().min(1).optional(),
  reason: z.string().min(1),
  owner: z.string().min(1),
  expires: z.iso.date(),
});

function stateOf(w: Waiver, now: string): AppliedWaiver {
  const daysLeft = daysUntil(w.expires, now);
  const state = daysLeft < 0 ? 'expired' : daysLeft <= EXPIRY_WARNING_DAYS ? 'expiring' : 'active';
  return { ...w, state, daysLeft };
}

function targetMatches(target: string, e: Evidence): boolean {
  const name = e.subject.includes(' ') ? e.subject.slice(e.subject.indexOf(' ') + 1) : e.subject;
  return (
    e.subject === target ||
    name === target ||
    e.file === target ||
    picomatch(target, { dot: true })(e.subject)
  );
}

/**
 * A result is covered when an untargeted waiver names its check, or when every piece of evidence
 * that failed or warned matches a targeted one: a waiver for `api` does not cover a failing `db`.
 */
function covering(r: CheckResult, waivers: readonly AppliedWaiver[]): AppliedWaiver | undefined {
  const mine = waivers.filter((w) => w.check === r.id);
  const whole = mine.find((w) => w.target === undefined);
  if (whole) return whole;
  const flagged = r.evidence.filter((e) => e.status === 'fail' || e.status === 'warn');
  const judged = flagged.length > 0 ? flagged : r.evidence;
  if (judged.length === 0) return undefined;
  const used = judged.map((e) => mine.find((w) => targetMatches(w.target!, e)));
  if (used.some((w) => w === undefined)) return undefined;
  // The weakest waiver used speaks for the result: an expired one is not hidden by a valid one.
  const rank = { expired: 0, expiring: 1, active: 2 };
  return used.reduce((a, b) => (rank[b!.state] < rank[a!.state] ? b : a));
}

/**
 * Marks failing and warning results covered by a waiver (the status stays) and reports every
 * waiver's state as of the run's timestamp, never the clock. Errors are never waived: an unknown
 * stays an unknown.
 */
export function applyWaivers(
  results: readonly CheckResult[],
  waivers: readonly Waiver[],
  now: string,
): { results: CheckResult[]; waivers: WaiverStatus[] } {
  const states = waivers.map((w) => stateOf(w, now));
  const covers = new Map<AppliedWaiver, string[]>();
  const out = results.map((r) => {
    if (r.status !== 'fail' && r.status !== 'warn') return r;
    const w = covering(r, states);
    if (!w) return r;
    covers.set(w, [...(covers.get(w) ?? []), r.id]);
    return { ...r, waiver: w };
  });
  return { results: out, waivers: states.map((w) => ({ ...w, covers: covers.get(w) ?? [] })) };
}

/** Whether a result's failure is accepted by a waiver that still holds. */
export const isWaived = (r: CheckResult): boolean => r.waiver !== undefined && r.waiver.state !== 'expired';

export function describeWaiver(w: Waiver): string {
  return `${w.check}${w.target ? ` (${w.target})` : ''} owned by ${w.owner}`;
}
