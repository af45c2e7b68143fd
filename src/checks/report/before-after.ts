import { z } from 'zod';
import {
  type CheckDefinition,
  type CheckInput,
  defineCheck,
  type Evidence,
  type Metric,
} from '../../core/check.js';
import { compareMetrics, ToleranceSchema } from '../../policy/compare.js';
import clickhouseQueryTime from '../clickhouse/query-time.js';
import clickhouseRowSize from '../clickhouse/row-size.js';
import dockerImageSize from '../docker/image-size.js';
import httpErrorRate from '../http/error-rate.js';
import httpLatency from '../http/latency.js';
import postgresMissingIndex from '../postgres/missing-index.js';
import postgresQueryTime from '../postgres/query-time.js';
import redisHitRatio from '../redis/hit-ratio.js';
import redisMaxmemory from '../redis/maxmemory.js';

/**
 * The checks whose measured values are compared: their own code measures, this one compares.
 * Database sizes ride on checks that read them anyway: postgres/missing-index (database size),
 * clickhouse/row-size (data size on disk), redis/maxmemory (used memory).
 */
const MEASURING: readonly CheckDefinition[] = [
  httpLatency,
  httpErrorRate,
  clickhouseQueryTime,
  postgresQueryTime,
  redisHitRatio,
  dockerImageSize,
  postgresMissingIndex,
  clickhouseRowSize,
  redisMaxmemory,
] as CheckDefinition[];

/** Runs a measuring check for its metrics alone, when every source it needs is present. */
function measure(def: CheckDefinition, input: CheckInput): Metric[] {
  if (!def.requires.every((s) => input.has(s))) return [];
  try {
    return def.run(input, def.options.parse({})).metrics ?? [];
  } catch {
    return []; // the check itself reports the problem as its own error result
  }
}

export default defineCheck({
  id: 'report/before-after',
  title: 'Measured values held against the baseline',
  failureTitle: 'Measured values got worse than the baseline',
  description:
    'The checklist (6.3) asks to compare response times, query times and sizes before and after a deployment. ' +
    'With `--baseline REPORT.json` this check compares the values measured now (HTTP latency percentiles and ' +
    'error rate, ClickHouse and PostgreSQL mean query times, Redis hit ratio, image sizes, and database sizes: ' +
    'PostgreSQL database size, ClickHouse data size on disk, Redis used memory) with those of the ' +
    'baseline report, and fails when one moved the wrong way beyond its tolerance (`baseline.tolerance` in the ' +
    'config, 10% by default, per id of the check that measures the value; a size that grew is worse, one ' +
    'that shrank is not). It skips without a baseline. ' +
    'See https://sre.google/workbook/canarying-releases/#before-and-after',
  seedRef: '6.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['baseline'],
  optional: ['http', 'clickhouse', 'postgres', 'redis', 'docker'],
  options: z.object({ tolerance: ToleranceSchema.default({ default: 0.1 }) }),
  run(input, o) {
    const baseline = input.source('baseline')[0]!.data!;
    const before = new Map(baseline.results.map((r) => [r.id, r.metrics ?? []]));
    const evidence: Evidence[] = [];
    let compared = 0;
    for (const def of MEASURING) {
      const now = measure(def, input);
      const then = before.get(def.id) ?? [];
      compared += now.filter((m) => then.some((t) => t.name === m.name && t.subject === m.subject)).length;
      const { worse, better } = compareMetrics(def.id, then, now, o.tolerance);
      for (const c of worse)
        evidence.push({
          subject: def.id,
          observed: c.metric!.to,
          expected: `≤ tolerance from ${c.metric!.from}`,
          unit: c.metric!.unit,
          status: 'fail',
          note: c.text,
        });
      for (const c of better)
        evidence.push({
          subject: def.id,
          observed: c.metric!.to,
          unit: c.metric!.unit,
          status: 'pass',
          note: c.text,
        });
    }
    const at = `baseline of ${baseline.startedAt}`;
    if (compared === 0)
      return { status: 'skip', message: `no measured value in common with the ${at}`, evidence };
    const worse = evidence.filter((e) => e.status === 'fail').length;
    if (worse === 0)
      return {
        status: 'pass',
        message: `${compared} measured value(s) within tolerance of the ${at}`,
        evidence,
      };
    return {
      status: 'fail',
      message: `${worse} of ${compared} measured value(s) got worse than the ${at}`,
      evidence,
      remediation: {
        summary: 'Find what the deployment changed for the values listed (strisk compare OLD.json NEW.json)',
        applies: 'none',
      },
    };
  },
});
