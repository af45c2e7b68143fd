// One formatter for the numbers strisk shows: sizes, durations, percentages, ratios and counts.
// Checks and reporters both use it, so `512 MiB`, `1.2 s` and `45.5%` read the same everywhere.

/** `64GB`, `512m`, `1.5 GiB`, `4096` → bytes (1024 multiples, as Docker and Redis use them); null when not a size. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(text);
  if (!m) return null;
  const power = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** Up to `digits` decimals, trailing zeros dropped: 1.50 → `1.5`, 2.000 → `2`. */
function trim(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** Binary units, as Docker and the kernel mean them: `536870912` → `512 MiB`, `1610612736` → `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${trim(v, i === 0 ? 0 : 2)} ${units[i]}`;
}

/** Milliseconds for a reader: `0.4 ms`, `850 ms`, `4.2 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 10) return `${trim(ms, 1)} ms`;
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${trim(ms / 1000, abs < 10_000 ? 2 : 1)} s`;
  const sign = ms < 0 ? '-' : '';
  if (abs < 3_600_000) {
    const min = Math.floor(abs / 60_000);
    const s = Math.round((abs % 60_000) / 1000);
    return `${sign}${min} min${s ? ` ${s} s` : ''}`;
  }
  const h = Math.floor(abs / 3_600_000);
  const min = Math.round((abs % 3_600_000) / 60_000);
  return `${sign}${h} h${min ? ` ${min} min` : ''}`;
}

/** A percentage given as a percentage: 25.93 → `25.9%`, 100 → `100%`, 0.04 → `0.04%`. */
export function formatPercent(percent: number): string {
  const abs = Math.abs(percent);
  return `${trim(percent, abs !== 0 && abs < 1 ? 2 : 1)}%`;
}

/** A ratio (0..1) as a percentage: 0.0099 → `0.99%`, 0.8 → `80%`. */
export function formatRatio(ratio: number): string {
  return formatPercent(ratio * 100);
}

// The two formats formatNumber uses, each made once: `toLocaleString` with options builds a new
// Intl.NumberFormat on every call, and a report formats hundreds of numbers.
let numberFormats: [Intl.NumberFormat, Intl.NumberFormat] | undefined;

/** A plain count or measure: grouped thousands, at most two decimals: 12345.678 → `12,345.68`. */
export function formatNumber(n: number): string {
  // Whole numbers grouped by hand: ICU's number formatter costs ~6 ms to make, most of a run's
  // numbers are counts, and its grouping of a safe integer is exactly this.
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return groupThousands(n);
  numberFormats ??= [
    new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }),
    new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }),
  ];
  return numberFormats[Math.abs(n) < 1 && n !== 0 ? 1 : 0].format(n);
}

/** `1234567` → `1,234,567`, `-1000` → `-1,000`: en-US grouping of a safe integer. */
function groupThousands(n: number): string {
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/**
 * A number with the unit an evidence item or metric gives it, formatted by what the unit means:
 * `bytes` → `1.5 GiB`, `ms` / `s` → `4.2 s`, `ratio` → `0.99%`, `%…` → `25.9%…`, anything else
 * (`connections`, `workers`) → `12,000 connections`.
 */
export function formatQuantity(value: number, unit?: string): string {
  if (!Number.isFinite(value)) return String(value);
  const u = unit?.trim() ?? '';
  if (u === 'bytes' || u === 'B') return formatBytes(value);
  if (u === 'ratio') return formatRatio(value);
  const ms = /^ms\b(.*)$/.exec(u);
  if (ms) return `${formatDuration(value)}${ms[1]}`;
  const s = /^s\b(.*)$/.exec(u);
  if (s) return `${formatDuration(value * 1000)}${s[1]}`;
  const pct = /^%(.*)$/.exec(u);
  if (pct) return `${formatPercent(value)}${pct[1]}`;
  return u ? `${formatNumber(value)} ${u}` : formatNumber(value);
}

/**
 * An expected value as a check wrote it, with the evidence's unit added when it is a bare bound
 * (`< 5` with `%` → `< 5%`, `≤ 500` with `ms` → `≤ 500 ms`); anything with words stays as written.
 */
export function expectedWithUnit(expected: string, unit?: string): string {
  if (!unit) return expected;
  const m = /^\s*([<>≤≥=~]=?\s*)?(-?\d+(?:\.\d+)?)\s*$/.exec(expected);
  if (!m) return expected;
  return `${m[1] ?? ''}${formatQuantity(Number(m[2]), unit)}`;
}
