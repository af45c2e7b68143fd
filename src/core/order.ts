// Orderings for what strisk sorts on every run (check ids, seed references, file and container
// names), by UTF-16 code unit rather than String#localeCompare: the first localeCompare of a process
// sets up ICU's collator, ~8 ms of an audit that needs no language's rules (BENCHMARKS.md,
// "Start-up"). For the lowercase ids and references strisk sorts, both give the same order.

/** By code unit: `a` before `b` when `a` is a prefix of `b` or its first differing unit is lower. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const DIGITS = /(\d+)/;

/**
 * By code unit, except that runs of digits compare as numbers: `1.2` before `1.10` (a checklist's
 * item numbers, as `localeCompare(…, { numeric: true })` ordered them).
 */
export function byNumberedText(a: string, b: string): number {
  if (a === b) return 0;
  const x = a.split(DIGITS);
  const y = b.split(DIGITS);
  const n = Math.min(x.length, y.length);
  // split() with a capturing group alternates: text at even indexes, digit runs at odd ones.
  for (let i = 0; i < n; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    if (i % 2 === 1) {
      const d = Number(p) - Number(q);
      // Equal values written differently (`01`, `1`): the shorter first, as ICU does.
      return d !== 0 ? Math.sign(d) : p.length - q.length;
    }
    return byText(p, q);
  }
  return x.length - y.length;
}
