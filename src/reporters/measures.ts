import type { CheckResult } from '../core/report.js';

/** A measured value and the threshold its check judged it against, for a bar with the limit marked. */
export interface Measure {
  id: string;
  subject: string;
  value: number;
  unit?: string;
  /** The limit, in the value's own unit. */
  threshold: number;
  /** `max`: the value should stay at or under it; `min`: at or over it. */
  kind: 'max' | 'min';
  status?: string;
}

const SCALE: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, B: 1 };

/** The threshold number in the value's unit: `80.0%` of a ratio is 0.8, `1 MiB` of bytes is 1048576. */
function inUnit(n: number, suffix: string | undefined, unit: string | undefined): number | undefined {
  if (!suffix) return n;
  if (suffix === '%') return unit === 'ratio' ? n / 100 : unit?.startsWith('%') ? n : undefined;
  if (SCALE[suffix] !== undefined) return unit === 'bytes' ? n * SCALE[suffix]! : undefined;
  if (suffix === 'ms') return unit?.startsWith('ms') ? n : unit === 's' ? n / 1000 : undefined;
  if (suffix === 's') return unit === 's' ? n : unit?.startsWith('ms') ? n * 1000 : undefined;
  return undefined;
}

const BOUND = /(<=|>=|≤|≥|<|>)\s*(-?\d+(?:\.\d+)?)\s*(%|[KMGT]iB\b|B\b|ms\b|s\b)?/;
const RANGE = /^\s*(-?\d+(?:\.\d+)?)\s*[–-]\s*(-?\d+(?:\.\d+)?)\s*$/;

/** The limit an `expected` text states, when it is one bound or a plain range (its upper end). */
export function thresholdOf(
  expected: string,
  unit?: string,
): { threshold: number; kind: 'max' | 'min' } | undefined {
  const range = RANGE.exec(expected);
  if (range) return { threshold: Number(range[2]), kind: 'max' };
  const m = BOUND.exec(expected);
  if (!m) return undefined;
  const threshold = inUnit(Number(m[2]), m[3], unit);
  if (threshold === undefined) return undefined;
  return { threshold, kind: m[1]!.startsWith('<') || m[1] === '≤' ? 'max' : 'min' };
}

/** Every numeric observation of the results whose evidence states a limit it was judged against. */
export function measuresOf(results: readonly CheckResult[]): Measure[] {
  return results.flatMap((r) =>
    r.status === 'skip'
      ? []
      : r.evidence.flatMap((e) => {
          if (typeof e.observed !== 'number' || !Number.isFinite(e.observed) || !e.expected) return [];
          const t = thresholdOf(e.expected, e.unit);
          if (!t || t.threshold <= 0) return [];
          return [
            {
              id: r.id,
              subject: e.subject,
              value: e.observed,
              unit: e.unit,
              ...t,
              status: e.status,
            },
          ];
        }),
  );
}
