// Helpers every source's checks share: sizes written Docker's way (compose and docker), counts, plurals.
import { z } from 'zod';
import type { Evidence, Remediation } from '../core/check.js';

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;

export const mib = (n: number): number => n * MIB;
export const gib = (n: number): number => n * GIB;

/** Sizes by the one number formatter (`512 MiB`), shared with the reporters. */
export { formatBytes } from '../core/units.js';

/** Docker's short form for compose files: `512M`, `16G`, `1536M`. */
export function dockerSize(bytes: number): string {
  if (bytes % GIB === 0) return `${bytes / GIB}G`;
  if (bytes % MIB === 0) return `${bytes / MIB}M`;
  return `${Math.ceil(bytes / KIB)}K`;
}

/**
 * Parses a size the way Docker's go-units `RAMInBytes` does (log `max-size`, `mem_limit`):
 * binary multipliers, `10m` = `10MB` = `10MiB` = 10 × 2^20, a bare number is bytes.
 */
export function parseDockerSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp])?i?b?\s*$/i.exec(text);
  if (!m) return null;
  const power = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.round(Number(m[1]) * KIB ** power);
}

/** An option holding a size: bytes, or Docker's text form (`512m`, `16g`). */
export const sizeOption = (bytes: number) =>
  z
    .union([z.number().positive(), z.string()])
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : parseDockerSize(v);
      if (n === null) ctx.addIssue({ code: 'custom', message: `not a size: ${v}` });
      return n ?? 0;
    })
    .default(bytes);

/** A strictly non-negative integer written as text (`"3"`), else null. */
export function parseCount(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How a judged-items outcome speaks: its pass message, the fail/warn words, the fix summary. */
export interface OutcomeWords {
  passed: string;
  failed: string;
  warned?: string;
  summary: string;
  applies?: Remediation['applies'];
}

/**
 * The names that fall short, for a check's one-line message: `2 services without a healthcheck:
 * api, worker; 1 service to review: db` (`noun` is what is judged: service, workload).
 */
export function shortfallText(
  items: readonly { name: string; evidence: Evidence }[],
  noun: string,
  words: { failed: string; warned?: string },
): string {
  const names = (s: Evidence['status']) => [
    ...new Set(items.filter((i) => i.evidence.status === s).map((i) => i.name)),
  ];
  const parts: string[] = [];
  const failed = names('fail');
  const warned = names('warn');
  if (failed.length > 0) parts.push(`${plural(failed.length, noun)} ${words.failed}: ${failed.join(', ')}`);
  if (warned.length > 0)
    parts.push(`${plural(warned.length, noun)} ${words.warned ?? 'to review'}: ${warned.join(', ')}`);
  return parts.join('; ');
}
