/**
 * Pure helpers the postgres and pgbouncer checks share: permission gaps turned into errors, units
 * for evidence, where a setting came from. Per-target judgements combine in core/status. No I/O.
 */

import type { Forbidden, PostgresFacts } from '../collectors/postgres/schema.js';
import type { TargetFacts } from '../core/facts.js';
import type { Judgement } from '../core/status.js';

export { combine, type Judgement } from '../core/status.js';

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
/** Sizes as the one number formatter shows them (`64 MiB`). */
export { formatBytes } from '../core/units.js';

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
