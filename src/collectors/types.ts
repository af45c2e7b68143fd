import type { TargetFacts } from '../core/facts.js';
import { redactInPlace } from '../core/redact-url.js';

/** One configured target of a live source, from a flag, an env var or the config. */
export interface TargetSpec {
  url: string;
  /** A display name; defaults to the redacted URL. */
  name?: string;
  [key: string]: unknown;
}

export interface CollectContext {
  /**
   * `--timeout`: the longest a request may wait on the server with nothing arriving (connecting,
   * the first byte, between chunks). Local work (loading a client, parsing) does not count.
   */
  timeoutMs: number;
  projectDir: string;
  /**
   * Aborted at the target's overall deadline (`sourceDeadlineMs(timeoutMs)`, counted from when the
   * collector starts): a server that keeps answering slowly (a byte a second) is cut off there.
   * Set by `collectTarget`; a collector called directly (tests) may get none.
   */
  signal?: AbortSignal;
}

/** How many request timeouts one target may take in all: the backstop behind the idle timeout. */
export const DEADLINE_FACTOR = 4;

/** The overall deadline of one target, from `--timeout`. */
export function sourceDeadlineMs(timeoutMs: number): number {
  // Node's timers hold at most 2^31-1 ms.
  return Math.min(timeoutMs * DEADLINE_FACTOR, 2 ** 31 - 1);
}

/** A live source: one call per target; failures are returned as a target status, never thrown. */
export interface LiveCollector<D = unknown> {
  collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<D>>;
  /**
   * A second phase (the http probe's load), run by `collectLive` once every target of every source
   * has finished `collect`, one target at a time: it neither slows the other sources nor is slowed
   * by them. It gets what `collect` returned and adds to it, under `finishDeadlineMs` (its own
   * deadline, in `ctx.signal`), not the source's.
   */
  finish?(target: TargetSpec, first: TargetFacts<D>, ctx: CollectContext): Promise<TargetFacts<D>>;
  finishDeadlineMs?(target: TargetSpec, ctx: CollectContext): number;
}

/**
 * A message with the credentials taken out: a server may quote them back in an error, and they
 * must never reach the facts. Removes the URL's password (and `extra` passwords, e.g. one from
 * PGPASSWORD), its URL-encoded form, the base64 `user:password` of an HTTP Basic header, the value
 * of any echoed `Authorization:` header, and whatever `redactInPlace` masks (the password of any URL in
 * the message, secret query parameters, a libpq `password=`).
 * A password of fewer than 4 characters is replaced only where it stands alone, so it does not
 * mangle the words around it.
 */
export function scrubPassword(
  message: string,
  url: string,
  extra: readonly (string | undefined)[] = [],
): string {
  let out = redactInPlace(
    message.replace(
      /(\bauthorization["']?\s*[:=]\s*["']?)(?:(basic|bearer|digest|negotiate)\s+)?[^\s"',;}]+/gi,
      (_m, head, scheme) => `${head}${scheme ? `${scheme} ` : ''}***`,
    ),
  );
  let user = '';
  const passwords = [...extra];
  try {
    const u = new URL(url);
    user = decodeURIComponent(u.username);
    passwords.push(decodeURIComponent(u.password));
  } catch {
    // not a URL: only the extra passwords
  }
  for (const pw of passwords) {
    if (!pw) continue;
    const forms = new Set([pw, encodeURIComponent(pw)]);
    for (const name of new Set([user, 'default', ''])) {
      const basic = Buffer.from(`${name}:${pw}`);
      forms.add(basic.toString('base64'));
      forms.add(basic.toString('base64url'));
    }
    for (const form of [...forms].sort((a, b) => b.length - a.length)) out = scrubText(out, form);
  }
  return out;
}

function scrubText(message: string, secret: string): string {
  if (secret.length >= 4) return message.split(secret).join('***');
  // A short password would match inside ordinary words: replace it only where it stands alone.
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), '***');
}

/** Builds a target's facts: its name, a status, the time since `started` (`performance.now()`). */
export function targetFacts<D>(
  name: string,
  started: number,
): (status: TargetFacts['status'], extra: Partial<TargetFacts<D>>) => TargetFacts<D> {
  return (status, extra) => ({
    target: name,
    status,
    durationMs: Math.round(performance.now() - started),
    ...extra,
  });
}

/**
 * Runs `work` against a deadline: rejects with `timeoutError()` once `ms` have passed without an
 * answer. The timer starts before the work does, and is cleared however the race ends.
 */
export async function withDeadline<T>(
  work: () => Promise<T>,
  ms: number,
  timeoutError: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
