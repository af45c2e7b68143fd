// Compose's unit strings: memory in bytes (1024 multiples), CPUs as cores, durations in seconds.
// Each parser returns null when the text is not a value of its kind: never a guess.

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
};

/** `"512m"`, `512M`, `"1.5gb"`, `1073741824` → bytes. */
export function parseBytes(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(v);
  if (!m) return null;
  const mult = BYTE_UNITS[(m[2] ?? '').toLowerCase()];
  if (mult === undefined) return null;
  return Math.round(Number(m[1]) * mult);
}

/** `1.5`, `"0.50"`, `2` → cores. */
export function parseCpus(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string' || !/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(v)) return null;
  return Number(v);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Go durations as compose reads them: `"10s"`, `"1m30s"`, `"500ms"`, `"1h"` → seconds. A bare
 * number other than 0 has no unit (Go rejects it; a YAML integer would be nanoseconds): null.
 */
export function parseDuration(v: unknown): number | null {
  if (v === 0 || v === '0') return 0;
  if (typeof v !== 'string') return null;
  const text = v.trim();
  if (text === '' || !/^((\d+(\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? Number.NaN);
  }
  // Round away float noise (0.1 + 0.2) without losing sub-millisecond values.
  return Number.isFinite(total) ? Math.round(total * 1e9) / 1e9 : null;
}

/** YAML 1.1 style booleans compose accepts for typed fields (`read_only: "yes"` after interpolation). */
export function parseBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return null;
  const t = v.trim().toLowerCase();
  if (['true', 'yes', 'y', 'on'].includes(t)) return true;
  if (['false', 'no', 'n', 'off'].includes(t)) return false;
  return null;
}

/** A whole count (`replicas: 3`, `"3"`). */
export function parseCount(v: unknown): number | null {
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}
