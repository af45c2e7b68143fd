import type { Command, ReadOnlyRedis } from './client.js';
import { type KeyPattern, type PatternSample, TTL_BUCKET_EDGES } from './schema.js';

/** Keys SCAN looks at per call; MATCH filters after, so a call returns at most about this many. */
const SCAN_COUNT = 1000;

export interface SampleLimits {
  sampleSize: number;
  /** Absolute time (performance.now()) by which this pattern's sampling stops. */
  until: number;
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/** Summary of PTTL replies: -1 no TTL, -2 the key is gone, else milliseconds. */
export function summarise(
  pattern: KeyPattern,
  pttls: number[],
): Omit<PatternSample, 'complete' | 'stoppedBy' | 'scanCalls'> {
  const ttls = pttls
    .filter((t) => t >= 0)
    .map((t) => t / 1000)
    .sort((a, b) => a - b);
  const counts: number[] = new Array(TTL_BUCKET_EDGES.length + 1).fill(0);
  for (const t of ttls) {
    const i = TTL_BUCKET_EDGES.findIndex((edge) => t <= edge);
    counts[i === -1 ? TTL_BUCKET_EDGES.length : i]! += 1;
  }
  const noTtl = pttls.filter((t) => t === -1).length;
  const vanished = pttls.filter((t) => t === -2).length;
  const bound = pattern.maxTtlSeconds;
  return {
    pattern: pattern.pattern,
    kind: pattern.kind,
    ...(bound === undefined ? {} : { maxTtlSeconds: bound }),
    sampled: pttls.length - vanished,
    noTtl,
    vanished,
    ttlSeconds:
      ttls.length === 0
        ? null
        : {
            min: ttls[0]!,
            p50: percentile(ttls, 0.5),
            p90: percentile(ttls, 0.9),
            max: ttls[ttls.length - 1]!,
          },
    buckets: counts.map((count, i) => ({ leSeconds: TTL_BUCKET_EDGES[i] ?? null, count })),
    ...(bound === undefined ? {} : { overMaxTtl: ttls.filter((t) => t > bound).length }),
  };
}

/**
 * A bounded sample of one pattern: `SCAN cursor MATCH pattern COUNT n` until the cursor comes
 * back to 0, the sample is full or the time is up. The PTTLs of one batch travel in the same
 * pipeline as the next SCAN, so each batch costs one round trip. Never KEYS.
 */
export async function samplePattern(
  client: ReadOnlyRedis,
  pattern: KeyPattern,
  limits: SampleLimits,
): Promise<PatternSample> {
  const seen = new Set<string>();
  const pttls: number[] = [];
  let pending: string[] = [];
  let cursor = '0';
  let scanCalls = 0;
  let stoppedBy: PatternSample['stoppedBy'] = 'time';
  for (;;) {
    const full = seen.size >= limits.sampleSize;
    const done = scanCalls > 0 && cursor === '0';
    const late = performance.now() >= limits.until;
    const scanning = !full && !done && !late;
    const cmds: Command[] = pending.map((k) => ['pttl', k] as const);
    if (scanning) cmds.push(['scan', cursor, 'MATCH', pattern.pattern, 'COUNT', SCAN_COUNT]);
    const replies = await client.batch(cmds);
    for (const r of replies.slice(0, pending.length)) {
      if (r.error) throw r.error;
      pttls.push(Number(r.reply));
    }
    pending = [];
    if (!scanning) {
      stoppedBy = done ? 'complete' : full ? 'sample-size' : 'time';
      break;
    }
    const scan = replies[replies.length - 1]!;
    if (scan.error) throw scan.error;
    const [next, keys] = scan.reply as [string, string[]];
    scanCalls += 1;
    cursor = String(next);
    for (const k of keys) {
      if (seen.size >= limits.sampleSize) break;
      if (!seen.has(k)) {
        seen.add(k);
        pending.push(k);
      }
    }
  }
  return { ...summarise(pattern, pttls), complete: stoppedBy === 'complete', stoppedBy, scanCalls };
}
