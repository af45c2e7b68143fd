import { describe, expect, it } from 'vitest';
import { MANIFEST } from '../../src/checks/manifest.js';
import { byNumberedText, byText } from '../../src/core/order.js';

const sign = (n: number) => Math.sign(n);

describe('orderings without ICU', () => {
  it('orders the built-in check ids as localeCompare did', () => {
    const ids = MANIFEST.map((m) => m.id);
    expect([...ids].sort(byText)).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
  });

  it('orders the checklist references by number, as localeCompare with numeric did', () => {
    const refs = [...new Set(MANIFEST.map((m) => m.seedRef))];
    expect(refs.length).toBeGreaterThan(20);
    const icu = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
    expect([...refs].sort(byNumberedText)).toEqual([...refs].sort(icu));
    for (const a of refs) for (const b of refs) expect(sign(byNumberedText(a, b))).toBe(sign(icu(a, b)));
  });

  it('compares runs of digits by value and the rest by code unit', () => {
    expect(['1.10', '1.2', '10.1', '2', '1.2a', '1.2.3'].sort(byNumberedText)).toEqual([
      '1.2',
      '1.2.3',
      '1.2a',
      '1.10',
      '2',
      '10.1',
    ]);
    expect(byNumberedText('a01', 'a1')).toBeGreaterThan(0);
    expect(byNumberedText('x', 'x')).toBe(0);
    expect(['b', 'a-b', 'ab', 'a'].sort(byText)).toEqual(['a', 'a-b', 'ab', 'b']);
  });
});
