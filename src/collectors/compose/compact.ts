// Facts kept for a whole run are stored compactly: a service's facts, once final, are rebuilt by a
// JSON round trip with every string value interned. JSON.parse gives objects of exactly their
// properties and flat strings; the same image tag, command word or file is one string across
// services. Kept as built, the facts hold slices of the text of the part each value was parsed
// from, chains of concatenations from interpolation and objects with spare property slots: about
// half as much again (bench/compose-memory.mjs). The round trip is what `--save-facts` and
// `--facts` do to facts anyway, so a live run and its replay see the same values.

/** Interned strings of one collection: each distinct string once. */
export class StringPool {
  private readonly strings = new Map<string, string>();

  intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }
}

/**
 * `value` as its JSON round trip, with its string values interned in `pool`; `value` itself when
 * the round trip would change it (a number JSON cannot hold, such as an overflowing `9e999g`).
 */
export function compact<T>(value: T, pool: StringPool): T {
  let exact = true;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) exact = false;
    return v;
  });
  if (!exact) return value;
  return JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' ? pool.intern(v) : v)) as T;
}
