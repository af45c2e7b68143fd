/** Multipliers from `pg_settings.unit` to bytes or seconds. */
const BYTES: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400 };

/**
 * Converts a `pg_settings` value with its unit (`8kB`, `16MB`, `ms`, `min`…) to bytes or
 * seconds; booleans to true/false, plain numbers to numbers, anything else stays text.
 * Negative sentinels (-1 = "use the default rule", "disabled") are kept as they are.
 */
export function convertSetting(
  setting: string | null,
  unit: string | null,
  vartype?: string,
): number | boolean | string | null {
  if (setting === null) return null;
  if (vartype === 'bool') return setting === 'on';
  if (vartype === 'string' || vartype === 'enum') return setting;
  const n = Number(setting);
  if (!Number.isFinite(n)) return setting;
  if (!unit || n < 0) return n;
  const m = /^(\d+)?\s*([a-zA-Z]+)$/.exec(unit);
  if (!m) return n;
  const scale = Number(m[1] ?? 1);
  const base = BYTES[m[2]!] ?? SECONDS[m[2]!];
  return base === undefined ? n : n * scale * base;
}

/** `'64GB'`, `'512MiB'`, `'1.5 GB'` or a number of bytes → bytes; null when unreadable. */
export function parseMemory(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(value);
  if (!m) return null;
  const exp = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** exp);
}
