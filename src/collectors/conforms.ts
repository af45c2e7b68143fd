// A read-only check that facts a collector built itself are already what its zod schema would
// give back (the same values): `schema.parse` copies every object and array (6 MB of app facts on a large project:
// a tenth of the collect, and the garbage after it), while this only reads them. Facts read from
// a recording still go through the schema (`--facts`), which fills in defaults.
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, unknown>;
  checks?: { _zod: { def: { check?: string; format?: string } } }[];
  /** A `z.partialRecord`: keys of its enum may be left out. */
  partial?: boolean;
  /** `z.custom`'s predicate: a value it accepts is returned as it is. */
  fn?: (value: unknown) => unknown;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

type Test = (value: unknown) => boolean;
const compiled = new WeakMap<z.ZodType, Test>();
const never: Test = () => false;

/**
 * Whether `schema.parse(value)` would return a deep copy of `value`: every value of its type, no
 * key the schema would strip, no key missing that it would fill in with a default. (The parse would
 * also put each object's keys in the order of its schema; the facts keep the order they were
 * built in, which only their JSON text shows.) Any schema feature this
 * does not know (refinements, transforms, pipes) answers false, so the caller parses with zod.
 * The schema is turned into a tree of tests once (it is walked for every fact otherwise).
 */
export function conformsTo(schema: z.ZodType, value: unknown): boolean {
  return testOf(schema)(value);
}

/**
 * Facts a collector built itself, as its schema would give them back: the same object when it
 * already conforms (only read), else `schema.parse`'s copy (defaults filled in, unknown keys
 * dropped) or its error.
 */
export function conformed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  if (conformsTo(schema, value)) return value as z.output<S>;
  return schema.parse(value);
}

function testOf(schema: z.ZodType): Test {
  let test = compiled.get(schema);
  if (!test) {
    // A recursive schema meets itself while being compiled: it is looked up when called.
    compiled.set(schema, (v) => compiled.get(schema)!(v));
    test = compile(defOf(schema));
    compiled.set(schema, test);
  }
  return test;
}

function compile(def: Def): Test {
  switch (def.type) {
    case 'string':
      return (def.checks ?? []).length === 0 ? (v) => typeof v === 'string' : never;
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'null':
      return (v) => v === null;
    case 'unknown':
    case 'any':
      // Any value, returned as it is (a target's `data`, checked against its source's schema apart).
      return () => true;
    case 'literal': {
      const values = new Set((def as { values?: unknown[] }).values ?? []);
      return (v) => values.has(v);
    }
    case 'number': {
      const checks = (def.checks ?? []).map((c) => c._zod.def);
      if (checks.length === 0) return (v) => typeof v === 'number' && Number.isFinite(v);
      if (checks.every((d) => d.check === 'number_format' && d.format === 'safeint'))
        return (v) => Number.isSafeInteger(v);
      return never;
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => typeof v === 'string' && values.has(v);
    }
    case 'optional': {
      const inner = testOf(def.innerType!);
      return (v) => v === undefined || inner(v);
    }
    case 'nullable': {
      const inner = testOf(def.innerType!);
      return (v) => v === null || inner(v);
    }
    case 'default': {
      // A missing value would be filled in: the parse would not return the same object.
      const inner = testOf(def.innerType!);
      return (v) => v !== undefined && inner(v);
    }
    case 'union': {
      const options = (def.options ?? []).map(testOf);
      return (v) => {
        for (const o of options) if (o(v)) return true;
        return false;
      };
    }
    case 'array': {
      const element = testOf(def.element!);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (const item of v) if (!element(item)) return false;
        return true;
      };
    }
    case 'record': {
      const key = defOf(def.keyType!);
      const valueTest = testOf(def.valueType!);
      // Keys of an enum: only with z.partialRecord (z.record of an enum wants every key).
      const enumKeys = key.type === 'enum' && def.partial ? new Set(Object.values(key.entries ?? {})) : null;
      if (!enumKeys && (key.type !== 'string' || (key.checks ?? []).length > 0)) return never;
      return (v) => {
        if (!isPlainObject(v)) return false;
        for (const k in v) if ((enumKeys && !enumKeys.has(k)) || !valueTest(v[k])) return false;
        return true;
      };
    }
    case 'object': {
      const keys = Object.keys(def.shape!);
      const tests = new Map(keys.map((k) => [k, testOf(def.shape![k]!)]));
      // The keys that may not be left out (required, or with a default the parse would fill in).
      const needed = keys.filter((k) => !tests.get(k)!(undefined));
      return (v) => {
        if (!isPlainObject(v)) return false;
        for (const k in v) {
          const test = tests.get(k);
          if (!test?.(v[k])) return false; // a key the parse would strip, or a wrong value
        }
        for (const k of needed) if (!(k in v)) return false;
        return true;
      };
    }
    case 'custom': {
      // z.custom returns the value itself when its predicate holds (no copy, no transform).
      const fn = def.fn;
      return fn ? (v) => fn(v) === true : never;
    }
    default:
      return never;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
