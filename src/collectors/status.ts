// Status folding shared by the per-target views (redis, clickhouse): pure, no I/O.
import type { Evidence, OutcomeStatus } from '../core/check.js';

/** fail > warn > skip > pass: an unknown never hides behind a pass; no status at all is a skip. */
export function worst(statuses: readonly OutcomeStatus[]): OutcomeStatus {
  for (const s of ['fail', 'warn', 'skip'] as const) if (statuses.includes(s)) return s;
  return statuses.length > 0 ? 'pass' : 'skip';
}

/** A target's status as its evidence status: a skip is shown as info. */
export function evidenceStatus(s: OutcomeStatus): Evidence['status'] {
  return s === 'skip' ? 'info' : s;
}
