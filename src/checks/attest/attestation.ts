// The shared shape of attestation checks: items only a person can verify pass on a valid sign-off.
import { z } from 'zod';
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence, Severity } from '../../core/check.js';
import { daysUntil } from '../../policy/dates.js';

export const attestOptions = (missing: 'fail' | 'warn', maxAgeDays: number) =>
  z.object({
    /** The status of an item nobody has signed off: `fail`, or `warn` where the item is advisory. */
    missing: z.enum(['fail', 'warn']).default(missing),
    /** A sign-off older than this (days before the run) no longer counts. */
    maxAgeDays: z.number().int().positive().default(maxAgeDays),
  });

type AttestOptions = z.output<ReturnType<typeof attestOptions>>;

const YAML = (id: string) => `attestations:
  - check: ${id}
    by: Jane Doe <jane@example.com>
    date: 2026-01-31
    evidence: https://wiki.example.com/releases/2026-01-31`;

/** Judges the attestations of one item as of the run's timestamp. */
export function judgeAttestations(id: string, input: CheckInput, o: AttestOptions): CheckOutcome {
  const evidence: Evidence[] = input.attestations.map((a) => {
    const age = -daysUntil(a.date, input.collectedAt);
    const status = age < 0 ? 'fail' : age > o.maxAgeDays ? 'fail' : 'pass';
    return {
      subject: `attestation by ${a.by}`,
      observed: a.date,
      expected: `dated within ${o.maxAgeDays} days before the run, not after it`,
      status,
      note: `${a.evidence}${a.note ? ` — ${a.note}` : ''}${age < 0 ? ' (dated after the run)' : age > o.maxAgeDays ? ` (${age} days old)` : ''}`,
    };
  });
  const remediation = {
    summary: 'Do the item, then sign it off in strisk.config.yaml with who, when and a link to the evidence',
    change: YAML(id),
    applies: 'none' as const,
  };
  if (evidence.some((e) => e.status === 'pass')) {
    return {
      status: 'pass',
      message: `signed off by ${evidence.find((e) => e.status === 'pass')!.subject.slice(15)}`,
      evidence,
    };
  }
  if (evidence.length === 0)
    evidence.push({
      subject: `attestations of ${id}`,
      observed: 'none',
      expected: 'who, when and an evidence link in strisk.config.yaml',
      status: o.missing,
    });
  const message =
    input.attestations.length === 0
      ? 'not signed off: no attestation in the config'
      : 'not signed off: the attestation is stale or dated after the run';
  return { status: o.missing, message, evidence, remediation };
}

export function attestCheck(spec: {
  id: string;
  title: string;
  failureTitle: string;
  description: string;
  seedRef: string;
  severity: Severity;
  missing: 'fail' | 'warn';
  maxAgeDays: number;
}): CheckDefinition<ReturnType<typeof attestOptions>> {
  return {
    id: spec.id,
    title: spec.title,
    failureTitle: spec.failureTitle,
    description: spec.description,
    seedRef: spec.seedRef,
    severity: spec.severity,
    kind: 'attest',
    requires: [],
    options: attestOptions(spec.missing, spec.maxAgeDays),
    run: (input, o) => judgeAttestations(spec.id, input, o),
  };
}
