// `strisk/testing`: run a check on recorded facts or on a fixture directory and assert its result,
// the way ESLint's RuleTester runs a rule on code. Works under node:test, vitest, jest or mocha.
import { AssertionError } from 'node:assert';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckDefinition, Evidence, PluginDefinition, ResultStatus } from '../core/check.js';
import { runCheck } from '../core/engine.js';
import type { Facts } from '../core/facts.js';
import type { CheckResult } from '../core/report.js';
import { type LoadedPlugin, validatePlugin } from '../core/registry.js';
import { collectFacts, freezeFacts, parseFacts, readFacts } from '../core/runner.js';

/** What a check runs on: recorded facts (`strisk audit --save-facts FILE`, a path or the parsed JSON) or a project directory. */
export type CheckSubject =
  | { facts: string | object }
  | {
      /** A project directory: its compose files and Dockerfiles are read as `strisk audit DIR` would. */
      dir: string;
      /** The app's source directory inside `dir` (`--app`), when the check reads the app source. */
      app?: string;
    };

export interface ExpectedResult {
  status: ResultStatus;
  /** The result's message contains this text, or matches this pattern. */
  message?: string | RegExp;
  /** Each of these is a subset of some evidence item (`{ subject: 'service api', status: 'fail' }`). */
  evidence?: Partial<Evidence>[];
}

export type CheckCase = CheckSubject & {
  name?: string;
  /** The check's options, as `checks.options.<id>` in strisk.config.yaml would give them. */
  options?: Record<string, unknown>;
  expect: ResultStatus | ExpectedResult;
};

/** Facts of a subject, parsed and validated as `--facts` would. */
export async function factsOf(subject: CheckSubject): Promise<Facts> {
  if ('facts' in subject)
    return typeof subject.facts === 'string'
      ? readFacts(subject.facts)
      : parseFacts(structuredClone(subject.facts));
  const projectDir = resolve(subject.dir);
  return collectFacts({
    projectDir,
    env: {},
    live: subject.app ? { app: [{ url: resolve(projectDir, subject.app) }] } : {},
  });
}

/** Runs one check on a subject, as an audit would (declared sources only, options validated, throws → error). */
export async function runCheckOn(
  check: CheckDefinition,
  subject: CheckSubject,
  options: Record<string, unknown> = {},
): Promise<CheckResult> {
  const facts = freezeFacts(await factsOf(subject));
  return runCheck(check, facts, { options: { [check.id]: options } });
}

const describeResult = (r: CheckResult) =>
  JSON.stringify({ status: r.status, message: r.message, evidence: r.evidence }, null, 2);

function matches(item: Evidence, want: Partial<Evidence>): boolean {
  return Object.entries(want).every(([k, v]) => item[k as keyof Evidence] === v);
}

/** Runs a case and throws an AssertionError when the result is not the expected one. Returns the result. */
export async function assertCheck(check: CheckDefinition, testCase: CheckCase): Promise<CheckResult> {
  const result = await runCheckOn(check, testCase, testCase.options);
  const want: ExpectedResult =
    typeof testCase.expect === 'string' ? { status: testCase.expect } : testCase.expect;
  const fail = (what: string, expected: unknown, actual: unknown): never => {
    throw new AssertionError({
      message: `${check.id}${testCase.name ? ` (${testCase.name})` : ''}: ${what}\nresult: ${describeResult(result)}`,
      expected,
      actual,
      operator: 'strictEqual',
    });
  };
  if (result.status !== want.status)
    fail(`expected ${want.status}, got ${result.status}`, want.status, result.status);
  if (want.message !== undefined) {
    const text = result.message ?? '';
    const ok = typeof want.message === 'string' ? text.includes(want.message) : want.message.test(text);
    if (!ok) fail(`message does not match ${String(want.message)}`, want.message, text);
  }
  for (const e of want.evidence ?? []) {
    if (!result.evidence.some((item) => matches(item, e)))
      fail(`no evidence matches ${JSON.stringify(e)}`, e, result.evidence);
  }
  return result;
}

/** The status a fixture's name promises: `success*` pass, `failure*` fail, `warning*` warn, `skip*`, `error*`. */
export const FIXTURE_STATUS: Readonly<Record<string, ResultStatus>> = {
  success: 'pass',
  failure: 'fail',
  warning: 'warn',
  skip: 'skip',
  error: 'error',
};

/**
 * The cases of a fixture directory, named like strisk's own: `success*`, `failure*`, `warning*`,
 * `skip*`, `error*`, each a `.facts.json` recording or a project directory.
 */
export function fixtureCases(dir: string): CheckCase[] {
  if (!existsSync(dir)) throw new Error(`no fixture directory ${dir}`);
  return readdirSync(dir)
    .sort()
    .flatMap((name): CheckCase[] => {
      const expected = FIXTURE_STATUS[name.split(/[-.]/)[0]!];
      const path = join(dir, name);
      if (!expected) return [];
      if (name.endsWith('.facts.json')) return [{ name, facts: path, expect: expected }];
      return statSync(path).isDirectory() ? [{ name, dir: path, expect: expected }] : [];
    });
}

/** A plugin as strisk would load it: throws the one-line error `strisk audit --plugin` would exit 2 with. */
export function assertPlugin(plugin: PluginDefinition | unknown, label = 'under test'): LoadedPlugin {
  return validatePlugin(plugin, { label }, new Map());
}

type Describe = (name: string, fn: () => void) => unknown;
type It = (name: string, fn: () => Promise<unknown>) => unknown;

/**
 * Registers one test per case under the test framework in use: `describe`/`it` given to the
 * constructor, else assigned to `CheckTester.describe`/`.it` (node:test), else the globals (vitest
 * with globals, jest, mocha).
 */
export class CheckTester {
  static describe: Describe | undefined;
  static it: It | undefined;

  constructor(private readonly framework: { describe?: Describe; it?: It } = {}) {}

  private hooks(): { describe: Describe; it: It } {
    const g = globalThis as { describe?: Describe; it?: It };
    const describe = this.framework.describe ?? CheckTester.describe ?? g.describe;
    const it = this.framework.it ?? CheckTester.it ?? g.it;
    if (!describe || !it)
      throw new Error('CheckTester needs describe and it: set CheckTester.describe and CheckTester.it');
    return { describe, it };
  }

  /** One test per case: `name` or the subject, and the expected status. */
  run(check: CheckDefinition, cases: readonly CheckCase[]): void {
    const { describe, it } = this.hooks();
    describe(check.id, () => {
      for (const c of cases) {
        const status = typeof c.expect === 'string' ? c.expect : c.expect.status;
        const subject = 'facts' in c ? (typeof c.facts === 'string' ? c.facts : 'facts') : c.dir;
        it(`${c.name ?? subject}: ${status}`, () => assertCheck(check, c));
      }
    });
  }

  /** One test per fixture of `dir` (see fixtureCases). */
  fixtures(check: CheckDefinition, dir: string, options?: Record<string, unknown>): void {
    this.run(
      check,
      fixtureCases(dir).map((c) => ({ ...c, options })),
    );
  }
}
