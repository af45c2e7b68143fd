import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { conformed, conformsTo } from '../../src/collectors/conforms.js';
import { FactsSchema } from '../../src/core/facts.js';

const Schema = z.object({
  file: z.string(),
  line: z.number().int(),
  how: z.enum(['a', 'b']),
  value: z.union([z.string(), z.number(), z.null()]).optional(),
  workers: z.number().int().nullable().optional(),
  args: z.record(z.string(), z.object({ text: z.string() })).default({}),
  via: z.array(z.string()).default([]),
});

const good = {
  file: 'a.py',
  line: 3,
  how: 'a' as const,
  value: null,
  args: { x: { text: '1' } },
  via: ['f'],
};

describe('conformsTo (facts the parse would give back unchanged)', () => {
  it('accepts facts that parse to an equal copy, optional keys left out', () => {
    expect(conformsTo(Schema, good)).toBe(true);
    expect(JSON.stringify(Schema.parse(good))).toBe(JSON.stringify(good));
    expect(conformsTo(Schema, { ...good, workers: null })).toBe(true);
    // Keys in another order than the schema's: the parse gives an equal object (its keys reordered).
    const { file, ...rest } = good;
    expect(conformsTo(Schema, { ...rest, file })).toBe(true);
    expect(Schema.parse({ ...rest, file })).toEqual(good);
  });

  it('refuses what the parse would reject, fill in or strip', () => {
    expect(conformsTo(Schema, { ...good, line: 1.5 })).toBe(false); // not an int: zod rejects it
    expect(conformsTo(Schema, { ...good, line: Number.NaN })).toBe(false);
    expect(conformsTo(Schema, { ...good, how: 'c' })).toBe(false);
    expect(conformsTo(Schema, { ...good, args: { x: { text: 1 } } })).toBe(false);
    const { via: _, ...noVia } = good;
    expect(conformsTo(Schema, noVia)).toBe(false); // a default would be filled in
    expect(conformsTo(Schema, { ...good, extra: 1 })).toBe(false); // would be stripped
    expect(conformsTo(Schema, { line: 1 })).toBe(false); // a required key missing
  });

  it('answers false for schema features it does not read, so the caller parses', () => {
    expect(conformsTo(z.string().min(1), 'x')).toBe(false);
    expect(
      conformsTo(
        z.string().transform((s) => s.length),
        'x',
      ),
    ).toBe(false);
  });

  it('reads z.custom by its predicate, which zod also returns the value unchanged for', () => {
    const list = z.custom<string[]>((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'));
    const cols = z.object({ name: list, codec: list.nullable() });
    const value = { name: ['a', 'b'], codec: null };
    expect(conformsTo(cols, value)).toBe(true);
    expect(cols.parse(value).name).toBe(value.name); // the same array, not a copy
    expect(conformsTo(cols, { name: ['a', 1], codec: null })).toBe(false);
    // A union whose first option holds is what zod returns; a later transform is never reached.
    const either = z.union([cols, z.array(z.string()).transform((l) => ({ name: l, codec: null }))]);
    expect(conformsTo(either, value)).toBe(true);
    expect(conformsTo(either, ['a'])).toBe(false);
  });

  it('reads a partial record of an enum, and refuses a key outside it or a full record of one', () => {
    const parts = z.enum(['settings', 'tables']);
    const unread = z.partialRecord(parts, z.object({ message: z.string() }));
    expect(conformsTo(unread, {})).toBe(true);
    expect(conformsTo(unread, { tables: { message: 'denied' } })).toBe(true);
    expect(conformsTo(unread, { columns: { message: 'denied' } })).toBe(false);
    expect(conformsTo(z.record(parts, z.string()), { settings: 'x' })).toBe(false);
  });

  it('reads z.unknown (any value) and literals', () => {
    const target = z.object({ v: z.literal(1), tool: z.literal('strisk'), data: z.unknown().optional() });
    expect(conformsTo(target, { v: 1, tool: 'strisk', data: { deep: [1, 'x'] } })).toBe(true);
    expect(conformsTo(target, { v: 1, tool: 'strisk' })).toBe(true);
    expect(conformsTo(target, { v: 2, tool: 'strisk' })).toBe(false);
    expect(conformsTo(target, { v: 1, tool: 'other' })).toBe(false);
  });
});

describe("conformed (a collector's own facts, checked, parsed only when they would change)", () => {
  const facts = {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0.1.0' },
    collectedAt: '2026-12-02T00:00:00.000Z',
    durationMs: 3,
    projectDir: '.',
    machine: {},
    roles: {},
    sources: { redis: [{ target: 'redis://x', status: 'ok', durationMs: 1, data: { any: 'thing' } }] },
  };
  it('returns the same object when it conforms', () => {
    expect(conformed(FactsSchema, facts)).toBe(facts);
  });
  it("returns the parse's copy when a default would be filled in, and throws what the parse throws", () => {
    const { machine: _, roles: __, ...bare } = facts;
    const write = vi.spyOn(process.stderr, 'write');
    const out = conformed(FactsSchema, bare);
    expect(write).not.toHaveBeenCalled(); // a collector's own facts: nothing said about them
    write.mockRestore();
    expect(out).not.toBe(bare);
    expect(out).toEqual({ ...bare, machine: {}, roles: {} });
    expect(() => conformed(FactsSchema, { ...facts, schemaVersion: 2 })).toThrow();
  });
});
