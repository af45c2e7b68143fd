import { sha256Hex } from '../core/sha256.js';

/**
 * Findings: the evidence items of a failing or warning result that themselves failed or warned
 * (or, when none did, the result as a whole). Each gets a fingerprint that stays the same while
 * the thing it is about stays the same: the check id and the subject (a service, `file (stage
 * #n)`, a table, a key pattern, a target), never a line number, so an edit above it or a changed
 * value does not turn it into a new finding. Baselines, `compare` and SARIF's
 * `partialFingerprints` all key findings by it.
 */

/** What a fingerprint is computed from: the fields every report and older baseline keeps. */
export interface EvidenceLike {
  subject: string;
  file?: string;
  line?: number;
  observed?: unknown;
  note?: string;
  status?: string;
  expected?: string;
  unit?: string;
}

/** The version of the fingerprint recipe; SARIF names the partial fingerprint after it. */
export const FINGERPRINT_KEY = 'strisk/v1';

const isFlagged = (e: EvidenceLike) => e.status === 'fail' || e.status === 'warn';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Numbers out: line references, counts and values may move without the finding changing. */
const shape = (s: string) =>
  s
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The readable identity of one finding. A subject that names its file and line (`app/main.py:37`,
 * `Dockerfile:12 (stage #1)`) loses the line. When the subject was nothing but a file location
 * (source findings), what was observed and the note (the call, the route) tell findings in one
 * file apart, with their numbers taken out.
 */
export function findingKey(checkId: string, e: EvidenceLike): string {
  let subject = e.subject;
  let located = false;
  if (e.file) {
    const at = new RegExp(`${escapeRe(e.file)}:\\d+`, 'g');
    located = subject.trim() === `${e.file}:${e.line ?? ''}` || new RegExp(`^${at.source}$`).test(subject);
    subject = subject.replace(at, e.file);
  } else subject = subject.replace(FILE_LINE, '$1');
  const parts = [checkId, subject];
  if (located) {
    if (typeof e.observed === 'string') parts.push(shape(e.observed));
    if (e.note) parts.push(shape(e.note));
  }
  return parts.join('\u0000');
}

/** `compose.yaml:14`, `app/main.py:3`, `Dockerfile.api:7` in a subject that has no `file` field. */
const FILE_LINE = /((?:^|[\s(])[\w./-]*(?:\.(?:ya?ml|py|txt|toml|cfg|ini|lock|json)|Dockerfile[\w.-]*)):\d+/g;

const hash = (key: string) => sha256Hex(key).slice(0, 20);

export interface Finding {
  fingerprint: string;
  /** Index into the result's evidence; absent for the result as a whole. */
  evidence?: number;
  subject: string;
  status: 'fail' | 'warn';
}

/**
 * The findings of one result: none unless it failed or warned. Two findings with the same key
 * (the same subject twice) are told apart by their order.
 */
export function findingsOf(result: {
  id: string;
  status: string;
  evidence?: readonly EvidenceLike[];
}): Finding[] {
  if (result.status !== 'fail' && result.status !== 'warn') return [];
  const evidence = result.evidence ?? [];
  const seen = new Map<string, number>();
  const out: Finding[] = [];
  evidence.forEach((e, i) => {
    if (!isFlagged(e)) return;
    const key = findingKey(result.id, e);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    out.push({
      fingerprint: hash(n === 1 ? key : `${key}\u0000${n}`),
      evidence: i,
      subject: e.subject,
      status: e.status as 'fail' | 'warn',
    });
  });
  if (out.length === 0) out.push({ fingerprint: hash(result.id), subject: result.id, status: result.status });
  return out;
}

/** The fingerprints of a result, stored on its evidence items (and on the result when it has no flagged evidence). */
export function withFingerprints<
  R extends { id: string; status: string; evidence: EvidenceLike[]; fingerprint?: string },
>(result: R): R {
  const found = findingsOf(result);
  if (found.length === 0) return result;
  const evidence = [...result.evidence] as (EvidenceLike & { fingerprint?: string })[];
  let whole: string | undefined;
  for (const f of found) {
    if (f.evidence === undefined) whole = f.fingerprint;
    else evidence[f.evidence] = { ...evidence[f.evidence]!, fingerprint: f.fingerprint };
  }
  return { ...result, evidence, ...(whole ? { fingerprint: whole } : {}) };
}
