// The one way statuses combine, for every check and helper: pure, no I/O.
import type { CheckOutcome, Evidence, OutcomeStatus, Remediation, ResultStatus } from './check.js';

/**
 * Worst first: a known failure outranks an unknown (error), an unknown outranks a warning, and a
 * skip (nothing to judge) outranks a pass, so an unknown never hides behind a pass.
 */
const RANK: Record<ResultStatus, number> = { pass: 0, skip: 1, warn: 2, error: 3, fail: 4 };

/** The worst of the statuses; `whenEmpty` when there are none. */
export function worstOf<S extends ResultStatus, E extends ResultStatus>(
  statuses: readonly S[],
  whenEmpty: E,
): S | E {
  if (statuses.length === 0) return whenEmpty;
  return statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}

/** fail > warn > skip > pass over per-target statuses; no status at all is a skip. */
export function worst(statuses: readonly OutcomeStatus[]): OutcomeStatus {
  return worstOf(statuses, 'skip');
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
  const statuses = evidence.map((e) => (e.status === 'fail' || e.status === 'warn' ? e.status : 'pass'));
  return worstOf(statuses, 'pass');
}

/** A target's status as its evidence status: a skip is shown as info. */
export function evidenceStatus(s: OutcomeStatus): Evidence['status'] {
  return s === 'skip' ? 'info' : s;
}

/** One target's verdict, before the targets are combined into one outcome. */
export interface Judgement {
  status: ResultStatus;
  message: string;
  evidence: Evidence[];
  remediation?: Remediation;
}

/**
 * One outcome from each target's judgement: the worst wins (fail > error > warn > skip > pass).
 * A known failure is reported as such even when another target could not be judged; otherwise
 * an unjudgeable target makes the whole check an error.
 */
export function combine(judgements: Judgement[], none: string): CheckOutcome {
  if (judgements.length === 0) return { status: 'skip', message: none, evidence: [] };
  const status = worstOf(
    judgements.map((j) => j.status),
    'skip',
  );
  const worstOne = judgements.find((j) => j.status === status)!;
  const evidence = judgements.flatMap((j) => j.evidence);
  const messages = judgements.filter((j) => j.status === status).map((j) => j.message);
  // The audit role could not read what the verdict needs: an error carrying the grant, never a verdict.
  if (status === 'error')
    return { status: 'error', message: messages.join('; '), evidence, remediation: worstOne.remediation };
  const errors = judgements.filter((j) => j.status === 'error');
  const extra = errors.length > 0 ? `; could not judge: ${errors.map((e) => e.message).join('; ')}` : '';
  return {
    status,
    message: messages.join('; ') + extra,
    evidence,
    ...(worstOne.remediation ? { remediation: worstOne.remediation } : {}),
  };
}

export function countStatus(evidence: readonly Evidence[], status: Evidence['status']): number {
  return evidence.filter((e) => e.status === status).length;
}
