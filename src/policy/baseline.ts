import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { readJsonRecording } from '../core/local-file.js';
import type { TargetFacts } from '../core/facts.js';
import { REPORT_SCHEMA_VERSION } from '../core/report.js';

const MetricSchema = z.object({
  name: z.string(),
  value: z.number(),
  unit: z.string(),
  better: z.enum(['lower', 'higher']),
  subject: z.string().optional(),
});

/** What a comparison reads of an earlier report; the rest of the report is ignored. */
export const BaselineSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('strisk'), version: z.string() }),
  startedAt: z.string(),
  score: z.number().nullable(),
  /** The run's targets: `strisk compare` matches names written the old way to them (legacy-targets). */
  sources: z.array(z.looseObject({ source: z.string(), target: z.string() })).optional(),
  results: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['auto', 'attest', 'info']).optional(),
      status: z.enum(['pass', 'fail', 'warn', 'skip', 'error']),
      metrics: z.array(MetricSchema).optional(),
      /** Kept by reports since they had evidence; a baseline without it is compared per check. */
      evidence: z
        .array(
          z.looseObject({
            subject: z.string(),
            file: z.string().optional(),
            line: z.number().optional(),
            observed: z.unknown().optional(),
            expected: z.string().optional(),
            unit: z.string().optional(),
            note: z.string().optional(),
            status: z.string().optional(),
            fingerprint: z.string().optional(),
            suppressed: z.unknown().optional(),
          }),
        )
        .optional(),
    }),
  ),
});
export type Baseline = z.infer<typeof BaselineSchema> & { file?: string };

declare module '../core/check.js' {
  interface SourceData {
    baseline: Baseline;
  }
}

/** Reads an earlier `--format json` report; anything else is bad input (exit 2). */
export function readBaseline(file: string): Baseline {
  const raw = readJsonRecording(file, 'baseline report', 'baseline is not JSON');
  const parsed = BaselineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      `not a strisk JSON report (strisk audit --format json): ${issue.path.join('.') || 'top level'}: ${issue.message}`,
      file,
    );
  }
  return { ...parsed.data, file };
}

/** The baseline as a source of the facts, so `report/before-after` stays a pure check. */
export function baselineTarget(b: Baseline): TargetFacts<Baseline> {
  return { target: b.file ?? 'baseline', status: 'ok', durationMs: 0, data: b };
}
