import type { TargetFacts } from '../core/facts.js';

/** One configured target of a live source, from a flag, an env var or the config. */
export interface TargetSpec {
  url: string;
  /** A display name; defaults to the redacted URL. */
  name?: string;
  [key: string]: unknown;
}

export interface CollectContext {
  /** Deadline for this target, in milliseconds. */
  timeoutMs: number;
  projectDir: string;
}

/** A live source: one call per target; failures are returned as a target status, never thrown. */
export interface LiveCollector<D = unknown> {
  collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<D>>;
}

/** A URL with its password removed, for display and facts. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(k)) u.searchParams.set(k, '***');
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
