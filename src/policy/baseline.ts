import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { RECORDING_MAX_BYTES, readLocalFileSync } from '../core/local-file.js';
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

/** The line of a `JSON.parse` error's `position N`, when the message gives one. */
export function lineAt(text: string, message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  return m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
}

/** Reads an earlier `--format json` report; anything else is bad input (exit 2). */
export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    // A FIFO or a device is refused (it could block for ever), and the size is bounded.
    text = readLocalFileSync(file, { what: 'baseline report', maxBytes: RECORDING_MAX_BYTES });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read baseline report: ${String(err)}`, file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InputError(`baseline is not JSON: ${message}`, file, lineAt(text, message));
  }
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
