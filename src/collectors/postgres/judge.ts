/**
 * Pure helpers the postgres and pgbouncer checks share: per-target judgements combined into
 * one outcome, permission gaps turned into errors, units for evidence. No I/O.
 */
import type { CheckOutcome, Evidence, Remediation, ResultStatus } from '../../core/check.js';
import type { TargetFacts } from '../../core/facts.js';
import type { Forbidden, PostgresFacts } from './schema.js';

export interface Judgement {
  status: ResultStatus;
  message: string;
  evidence: Evidence[];
  remediation?: Remediation;
}

const RANK: Record<Judgement['status'], number> = { pass: 0, skip: 1, warn: 2, error: 3, fail: 4 };

/**
 * One outcome from each target's judgement: the worst wins (fail > error > warn > skip > pass).
 * A known failure is reported as such even when another target could not be judged; otherwise
 * an unjudgeable target makes the whole check an error.
 */
export function combine(judgements: Judgement[], none: string): CheckOutcome {
  if (judgements.length === 0) return { status: 'skip', message: none, evidence: [] };
  const worst = judgements.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  const evidence = judgements.flatMap((j) => j.evidence);
  const messages = judgements.filter((j) => j.status === worst.status).map((j) => j.message);
  // The audit role could not read what the verdict needs: an error carrying the grant, never a verdict.
  if (worst.status === 'error')
    return { status: 'error', message: messages.join('; '), evidence, remediation: worst.remediation };
  const errors = judgements.filter((j) => j.status === 'error');
  const extra = errors.length > 0 ? `; could not judge: ${errors.map((e) => e.message).join('; ')}` : '';
  return {
    status: worst.status,
    message: messages.join('; ') + extra,
    evidence,
    ...(worst.remediation ? { remediation: worst.remediation } : {}),
  };
}

/** The judgement for a target whose role may not read `part`, or undefined when it may. */
export function forbidden(t: TargetFacts<PostgresFacts>, part: Forbidden['part']): Judgement | undefined {
  const f = t.data?.forbidden.find((x) => x.part === part);
  if (!f) return undefined;
  return {
    status: 'error',
    message: `${t.target}: ${f.message}; run ${f.grant.split(';')[0]}`,
    evidence: [
      {
        subject: t.target,
        observed: 'permission denied',
        expected: f.grant,
        note: f.message,
        status: 'fail',
      },
    ],
  };
}

/** A size in PostgreSQL's own setting syntax (`16MB` = 16 × 1024²), for SQL and postgresql.conf lines. */
export function pgSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}

/** Hours between an ISO time and the run's timestamp; null when never. */
export function hoursSince(iso: string | null, collectedAt: string): number | null {
  if (!iso) return null;
  return (Date.parse(collectedAt) - Date.parse(iso)) / 3_600_000;
}

/** Where a setting came from, for evidence notes: `postgresql.conf:12`, `default`. */
export function settingOrigin(data: PostgresFacts, name: string): string {
  const s = data.settings[name];
  if (!s) return 'not reported';
  return s.sourcefile ? `${s.source} (${s.sourcefile}:${s.sourceline})` : (s.source ?? 'unknown');
}

const LOCAL = new Set(['localhost', '127.0.0.1', '::1', '']);
/** Whether two host:port pairs name the same server (loopback names are one host). */
export function sameServer(
  aHost: string | null,
  aPort: number | null,
  bHost: string | null,
  bPort: number | null,
): boolean {
  const norm = (h: string | null) =>
    h === null || h.startsWith('/') || LOCAL.has(h) ? 'local' : h.toLowerCase();
  return norm(aHost) === norm(bHost) && (aPort ?? 5432) === (bPort ?? 5432);
}
