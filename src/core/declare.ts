// Declarative checks: one observed setting (or fact) held against one expected value. The config's
// `checks.custom:` entries and the built-ins of that shape both become ordinary check definitions
// here, so they run through the same engine, reports, waivers and baselines as any other check.
import { z } from 'zod';
import { readFactPath, SETTING_READERS, type SettingSource } from '../facts/settings.js';
import {
  type CheckDefinition,
  type CheckInput,
  defineCheck,
  type Evidence,
  type Remediation,
  SEVERITIES,
  type Severity,
} from './check.js';
import { type Expected, parseExpected, type Quantity, type UnitStyle } from './expected.js';
import { SOURCE_NAMES, type SourceName } from './facts.js';
import { combine, type Judgement } from './status.js';

export const COMPARISONS = [
  'eq',
  'ne',
  'gte',
  'lte',
  'gt',
  'lt',
  'in',
  'matches',
  'present',
  'absent',
] as const;
export type Comparison = (typeof COMPARISONS)[number];
const SYMBOL: Record<Comparison, string> = {
  eq: '=',
  ne: '!=',
  gte: '>=',
  lte: '<=',
  gt: '>',
  lt: '<',
  in: 'one of',
  matches: 'matching',
  present: 'set',
  absent: 'not set',
};

/** What a declaration names: a setting of a source that has settings, or a dotted path into any source's facts. */
export interface Declaration {
  id: string;
  title: string;
  failureTitle?: string;
  description?: string;
  seedRef?: string;
  severity: Severity;
  source: SourceName;
  setting?: string;
  fact?: string;
  compare: Comparison;
  /** The threshold, as the source writes it (`64MB`, `30s`, `allkeys-lru`, `[a, b]`). */
  expected?: unknown;
  /** The option that holds the threshold (`checks.options.<id>.<option>`); `expected` by default. */
  option?: string;
  /** How a target that does not report the value is judged: `error` (default) or `skip`. */
  missing?: 'error' | 'skip';
  /** Related settings shown in each evidence note (`appendfsync` beside `appendonly`). */
  context?: string[];
  /** The fix; `{expected}` in it becomes the threshold as the source writes it. */
  fix?: string | { summary: string; change?: string; applies?: Remediation['applies'] };
}

/** A value as read for one subject (a target, a Redis node, an element of a fact list). */
export interface Observed {
  /** The target, for the one-line message. */
  target: string;
  /** What was read, when not the declared name itself: the concrete path of a `*` fact path. */
  what?: string;
  subject: string;
  /** The value in the source's unit (bytes, seconds, …); undefined when not reported. */
  value: string | number | boolean | null | undefined;
  kind: 'number' | 'bool' | 'text';
  /** What a number measures (a PostgreSQL memory setting is in bytes), when the source says. */
  quantity?: Quantity;
  /** How the source writes the value, for the evidence. */
  shown: string | number | boolean | null;
  /** Where it came from (`source: configuration file`, `read from INFO: …`). */
  notes: string[];
  /** The file and line of a located fact (a compose or manifest value), for the evidence. */
  file?: string;
  line?: number;
  /** Set when the subject could not be read at all (a permission the audit role lacks). */
  unreadable?: { message: string; evidence: Evidence[] };
}

function holds(c: Comparison, observed: Observed, expected: Expected | undefined): boolean {
  const v = observed.value;
  if (c === 'present') return v !== undefined && v !== null && v !== '';
  if (c === 'absent') return v === undefined || v === null || v === '';
  if (expected === undefined) return false;
  if (c === 'matches') return expected.kind === 'regex' && expected.regex.test(String(v));
  if (c === 'in') return expected.kind === 'list' && expected.items.some((e) => equals(v, e));
  if (c === 'eq') return equals(v, expected);
  if (c === 'ne') return !equals(v, expected);
  const n = typeof v === 'number' ? v : Number(v);
  const e = expected.kind === 'list' || expected.kind === 'regex' ? Number.NaN : Number(expected.value);
  if (!Number.isFinite(n) || !Number.isFinite(e)) return false;
  return c === 'gte' ? n >= e : c === 'lte' ? n <= e : c === 'gt' ? n > e : n < e;
}

const TRUTHY = new Set(['on', 'true', 'yes', '1']);

function equals(v: Observed['value'], e: Expected): boolean {
  if (e.kind === 'list' || e.kind === 'regex') return false;
  // A boolean setting as its source writes it: `on`, `yes`, `1` (ClickHouse 18.16 prints 0/1).
  if (e.kind === 'bool')
    return (typeof v === 'boolean' ? v : TRUTHY.has(String(v).toLowerCase())) === e.value;
  if (e.kind === 'number') return typeof v !== 'boolean' && Number(v) === e.value;
  return String(v) === e.value;
}

/**
 * Whether the observed value can be held against the threshold: a size against a size, a
 * number against a number. When not, the check is an error, never a verdict.
 */
function comparable(o: Observed, e: Expected): boolean {
  if (e.kind === 'list') return e.items.every((i) => comparable(o, i));
  if (e.kind === 'regex' || e.kind === 'text') return true;
  if (e.kind === 'bool')
    return (
      o.kind !== 'text' ||
      TRUTHY.has(String(o.value).toLowerCase()) ||
      /^(off|false|no|0)$/i.test(String(o.value))
    );
  if (o.kind !== 'number') return false;
  return !e.quantity || !o.quantity || e.quantity === o.quantity;
}

function remediationOf(d: Declaration, expected: string): Remediation | undefined {
  if (!d.fix) return undefined;
  const fill = (s: string) => s.replaceAll('{expected}', expected);
  if (typeof d.fix === 'string') return { summary: fill(d.fix), applies: 'none' };
  return {
    summary: fill(d.fix.summary),
    ...(d.fix.change ? { change: fill(d.fix.change) } : {}),
    applies: d.fix.applies ?? 'none',
  };
}

/** The schema of a declaration's threshold option: the raw value, parsed in the source's units. */
function expectedOption(d: Declaration, style: UnitStyle, name: string) {
  const raw = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);
  const parse = raw.transform((v, ctx) => {
    const p = parseExpected(v, d.compare, style, name);
    if (typeof p === 'string') {
      ctx.addIssue({ code: 'custom', message: p });
      return z.NEVER;
    }
    return p;
  });
  return d.expected === undefined ? parse.optional() : parse.prefault(d.expected as never);
}

/** One declaration as a check definition, the same type the built-ins are. */
export function declareCheck(d: Declaration): CheckDefinition {
  const reader = d.setting !== undefined ? SETTING_READERS[d.source as SettingSource] : undefined;
  if (d.setting !== undefined && !reader) throw new Error(`${d.source} has no settings: use fact:`);
  const name = d.setting ?? d.fact ?? '';
  const style: UnitStyle = reader?.units ?? 'fact';
  const option = d.option ?? 'expected';
  const what = d.setting !== undefined ? `${d.source} setting \`${name}\`` : `${d.source} fact \`${name}\``;
  return defineCheck({
    id: d.id,
    title: d.title,
    failureTitle: d.failureTitle ?? `Not met: ${d.title}`,
    description:
      d.description ??
      `Declared in the config: ${what} ${SYMBOL[d.compare]}${d.expected === undefined ? '' : ` ${String(d.expected)}`}.`,
    seedRef: d.seedRef ?? 'custom',
    severity: d.severity,
    kind: 'auto',
    requires: [d.source],
    options: z.object({ [option]: expectedOption(d, style, name) }),
    run(input: CheckInput, options: Record<string, unknown>) {
      const expected = options[option] as Expected | undefined;
      const observed: Observed[] =
        d.setting !== undefined
          ? reader!.read(input, d.setting, d.context ?? [])
          : readFactPath(input.source(d.source as never), d.fact ?? '');
      // A bare number is in the unit strisk records the setting in: bytes for a memory setting.
      const quantity = observed.find((o) => o.quantity)?.quantity;
      const shownAs = expected && quantity ? withQuantity(expected, quantity) : expected;
      const display = shownAs === undefined ? '' : (reader?.show(shownAs, name) ?? showExpected(shownAs));
      const expectedText =
        reader?.expectedText?.(d.compare, name, display) ?? `${SYMBOL[d.compare]} ${display}`.trim();
      const fix = remediationOf(d, display);
      const judgements = observed.map((o): Judgement => {
        if (o.unreadable)
          return { status: 'error', message: o.unreadable.message, evidence: o.unreadable.evidence };
        const missing = o.value === undefined || o.value === null;
        const evidence: Evidence = {
          subject: o.subject,
          ...(o.file ? { file: o.file, ...(o.line ? { line: o.line } : {}) } : {}),
          observed: o.shown,
          expected: expectedText,
          ...(o.notes.length > 0 ? { note: o.notes.join('; ') } : {}),
        };
        if (missing && d.compare !== 'absent' && d.compare !== 'present') {
          const status = d.missing ?? 'error';
          return {
            status,
            message: `${o.target}: ${o.what ?? name} not reported`,
            evidence: [{ ...evidence, ...(status === 'skip' ? { status: 'info' as const } : {}) }],
          };
        }
        if (expected !== undefined && !missing && !comparable(o, expected)) {
          return {
            status: 'error',
            message: `${o.target}: ${o.what ?? name} is ${o.quantity ?? o.kind} (${o.shown}), which cannot be held against ${display}`,
            evidence: [evidence],
          };
        }
        const ok = holds(d.compare, o, expected);
        return {
          status: ok ? 'pass' : 'fail',
          message: `${o.target}: ${o.what ?? name} is ${o.shown ?? 'not set'}`,
          evidence: [{ ...evidence, status: ok ? 'pass' : 'fail' }],
          ...(ok || !fix ? {} : { remediation: fix }),
        };
      });
      const outcome = combine(judgements, `no ${d.source} target reports ${name}`);
      // Skipped only when no target reports the value (or there is none to read it from).
      return outcome.status === 'skip'
        ? { ...outcome, skipReason: { kind: 'no-data', source: d.source } }
        : outcome;
    },
  });
}

function withQuantity(e: Expected, quantity: Quantity): Expected {
  if (e.kind === 'list') return { ...e, items: e.items.map((i) => withQuantity(i, quantity)) };
  return e.kind === 'number' && !e.quantity ? { ...e, quantity } : e;
}

function showExpected(e: Expected): string {
  if (e.kind === 'list') return e.items.map(showExpected).join(', ');
  if (e.kind === 'regex') return `/${e.regex.source}/`;
  return e.text;
}

// ---- The config's `checks.custom:` entries -------------------------------------------------------

const ID = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;

export const CustomCheckSchema = z
  .strictObject({
    id: z.string().regex(ID, 'expected <namespace>/<noun>, kebab-case (acme/work-mem)'),
    source: z.enum(SOURCE_NAMES.filter((s) => s !== 'baseline') as [SourceName, ...SourceName[]]),
    setting: z.string().min(1).optional(),
    fact: z
      .string()
      .regex(
        /^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/,
        'expected a dotted path (server.versionNum, nodes.*.role)',
      )
      .optional(),
    compare: z.enum(COMPARISONS),
    expected: z
      .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])
      .optional(),
    severity: z.enum(SEVERITIES).default('medium'),
    title: z.string().min(1),
    failureTitle: z.string().min(1).optional(),
    description: z.string().min(1).optional(),
    seedRef: z.string().min(1).optional(),
    fix: z.union([
      z.string().min(1),
      z.strictObject({
        summary: z.string().min(1),
        change: z.string().optional(),
        applies: z.enum(['reload', 'restart', 'rebuild', 'redeploy', 'none']).optional(),
      }),
    ]),
    missing: z.enum(['error', 'skip']).optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.setting === undefined) === (d.fact === undefined))
      ctx.addIssue({ code: 'custom', path: ['setting'], message: 'give either setting: or fact:, not both' });
    if (d.setting !== undefined && !(d.source in SETTING_READERS))
      ctx.addIssue({
        code: 'custom',
        path: ['setting'],
        message: `${d.source} has no settings (those that do: ${Object.keys(SETTING_READERS).join(', ')}); use fact: with a dotted path`,
      });
    const reader = d.setting !== undefined ? SETTING_READERS[d.source as SettingSource] : undefined;
    if (reader?.pattern && !reader.pattern.test(d.setting!))
      ctx.addIssue({
        code: 'custom',
        path: ['setting'],
        message: `"${d.setting}" is not a ${d.source} setting name (lower case, like work_mem)`,
      });
    const known = reader?.known;
    if (known && !known.includes(d.setting!))
      ctx.addIssue({
        code: 'custom',
        path: ['setting'],
        message: `strisk does not read ${d.source} setting "${d.setting}"; it reads: ${known.join(', ')}`,
      });
    const needsValue = d.compare !== 'present' && d.compare !== 'absent';
    if (needsValue && d.expected === undefined)
      ctx.addIssue({ code: 'custom', path: ['expected'], message: `compare: ${d.compare} needs expected:` });
    if (!needsValue && d.expected !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['expected'],
        message: `compare: ${d.compare} takes no expected:`,
      });
    if (needsValue && d.expected !== undefined) {
      const style: UnitStyle =
        d.setting !== undefined ? (SETTING_READERS[d.source as SettingSource]?.units ?? 'fact') : 'fact';
      const p = parseExpected(d.expected, d.compare, style, d.setting ?? '');
      if (typeof p === 'string') ctx.addIssue({ code: 'custom', path: ['expected'], message: p });
    }
  });
export type CustomCheck = z.output<typeof CustomCheckSchema>;
