// A local runner for action.yml: parses the composite action, evaluates its expressions the way
// the runner does for what it uses (inputs, steps.*.outputs, github.*, runner.temp, always(),
// success(), hashFiles()), runs its `run:` steps with GitHub's bash flags in a temporary
// workspace holding a copy of the example stack, and checks the `uses:` steps it cannot run
// here (setup-node, upload-sarif) for well-formedness and for what they would receive.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

interface Context {
  inputs: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string> }>;
  github: Record<string, string>;
  runner: Record<string, string>;
  workspace: string;
  failed: boolean;
}

/** One GitHub expression (the subset action.yml uses) to a value. */
function evaluate(expr: string, ctx: Context): unknown {
  const tokens = expr.match(/'(?:[^']|'')*'|&&|\|\||==|!=|[!()]|[A-Za-z_][\w.-]*(?:\(\))?|,/g) ?? [];
  const lookup = (path: string): string => {
    const [head, ...rest] = path.split('.');
    let v: unknown = (ctx as unknown as Record<string, unknown>)[head!];
    if (v === undefined) throw new Error(`unknown context "${head}" in ${expr}`);
    for (const k of rest) v = (v as Record<string, unknown> | undefined)?.[k];
    return typeof v === 'string' ? v : '';
  };
  const js: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'always()') js.push('true');
    else if (t === 'success()') js.push(String(!ctx.failed));
    else if (t === 'failure()') js.push(String(ctx.failed));
    else if (t === 'hashFiles') {
      // hashFiles(inputs.x): non-empty when the file exists in the workspace.
      const arg = tokens[i + 2]!;
      const path = arg.startsWith("'") ? arg.slice(1, -1) : lookup(arg);
      js.push(JSON.stringify(existsSync(join(ctx.workspace, path)) ? 'hash' : ''));
      i += 3;
    } else if (t.startsWith("'")) js.push(JSON.stringify(t.slice(1, -1).replaceAll("''", "'")));
    else if (t === '==') js.push('===');
    else if (t === '!=') js.push('!==');
    else if (['&&', '||', '!', '(', ')'].includes(t)) js.push(t);
    else if (t === 'true' || t === 'false') js.push(t);
    else js.push(JSON.stringify(lookup(t)));
  }
  return new Function(`return (${js.join(' ')});`)();
}
const substitute = (text: string, ctx: Context) =>
  text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => String(evaluate(e.trim(), ctx)));

interface Run {
  ctx: Context;
  outputs: Record<string, string>;
  summary: string;
  stepLog: { name: string; ran: boolean; code?: number; stdout?: string }[];
  uses: { uses: string; with: Record<string, string> }[];
}

function runAction(inputs: Record<string, string>): Run {
  const work = mkdtempSync(join(tmpdir(), 'strisk-action-'));
  const workspace = join(work, 'workspace');
  const temp = join(work, 'runner-temp');
  mkdirSync(temp, { recursive: true });
  cpSync(join(ROOT, 'examples/st-risk-platform'), join(workspace, 'st-risk-platform'), { recursive: true });
  const summaryFile = join(temp, 'summary.md');
  writeFileSync(summaryFile, '');
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
  const ctx: Context = {
    inputs: { ...defaults, ...inputs },
    steps: {},
    github: { action_path: ROOT, workspace },
    runner: { temp },
    workspace,
    failed: false,
  };
  const run: Run = { ctx, outputs: {}, summary: '', stepLog: [], uses: [] };
  action.runs.steps.forEach((step, n) => {
    const name = step.name ?? `step ${n}`;
    const cond = step.if ? evaluate(step.if.replace(/^\$\{\{|\}\}$/g, '').trim(), ctx) : !ctx.failed;
    if (!cond) {
      run.stepLog.push({ name, ran: false });
      return;
    }
    if (step.uses) {
      run.uses.push({
        uses: step.uses,
        with: Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), ctx)]),
        ),
      });
      run.stepLog.push({ name, ran: false });
      return;
    }
    const outputFile = join(temp, `output-${n}`);
    writeFileSync(outputFile, '');
    const script = join(temp, `step-${n}.sh`);
    writeFileSync(script, step.run!);
    const wd = step['working-directory'] ? substitute(step['working-directory'], ctx) : workspace;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: temp,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = substitute(String(v), ctx);
    // `shell: bash` on a runner is `bash --noprofile --norc -eo pipefail {0}`.
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: isAbsolute(wd) ? wd : join(workspace, wd),
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const outputs = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (step.id) ctx.steps[step.id] = { outputs };
    if (r.status !== 0) ctx.failed = true;
    run.stepLog.push({ name, ran: true, code: r.status ?? -1, stdout: r.stdout + r.stderr });
  });
  run.outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([k, v]) => [k, substitute(v.value, ctx)]),
  );
  run.summary = readFileSync(summaryFile, 'utf8');
  return run;
}

describe('action.yml', () => {
  it('is a well-formed composite action', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
    const ids = new Set(action.runs.steps.flatMap((s) => (s.id ? [s.id] : [])));
    const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    // Every expression names a declared input or an earlier step.
    for (const [, input] of text.matchAll(/inputs\.([\w-]+)/g))
      expect(Object.keys(action.inputs)).toContain(input);
    for (const [, id] of text.matchAll(/steps\.([\w-]+)\./g)) expect(ids).toContain(id);
    for (const step of action.runs.steps) {
      expect(Boolean(step.uses) !== Boolean(step.run), `${step.name}: uses or run`).toBe(true);
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@v\d+$/);
      if (step.run) {
        expect(step.shell, `${step.name}: a composite run step needs a shell`).toBe('bash');
        // Inputs reach scripts through env, never pasted into the script (no injection).
        expect(step.run).not.toMatch(/\$\{\{/);
      }
    }
    const uses = action.runs.steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(['actions/setup-node@v4', 'github/codeql-action/upload-sarif@v3']);
  });

  it('audits the example: job summary, SARIF for upload, exit code, and the gate fails the job', () => {
    const r = runAction({ path: 'st-risk-platform' });
    const ran = Object.fromEntries(r.stepLog.map((s) => [s.name, s]));
    expect(ran['Install strisk']?.code, ran['Install strisk']?.stdout).toBe(0);
    expect(ran.Audit?.code, ran.Audit?.stdout).toBe(0);
    expect(ran.Audit?.stdout).toMatch(/^::error /m); // workflow annotations
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.summary).toMatch(/^# strisk report: st-risk-platform/);
    expect(r.summary).toMatch(/Gate failed/);
    const report = JSON.parse(readFileSync(join(r.ctx.workspace, r.outputs['json-report']!), 'utf8'));
    expect(report.gate.exitCode).toBe(1);
    // The upload step would run, on a SARIF 2.1.0 file that exists.
    const upload = r.uses.find((u) => u.uses.startsWith('github/codeql-action/upload-sarif'));
    expect(upload?.with).toEqual({ sarif_file: 'strisk-reports/strisk.sarif', category: 'strisk' });
    expect(r.outputs['sarif-file']).toBe('strisk-reports/strisk.sarif');
    const sarif = JSON.parse(readFileSync(join(r.ctx.workspace, upload!.with.sarif_file!), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    // The gate runs last and fails the job with strisk's exit code.
    expect(ran.Gate?.code).toBe(1);
    expect(r.ctx.failed).toBe(true);
  }, 120_000);

  it('passes the gate with fail-on-severity critical, and skips the upload when told to', () => {
    const r = runAction({
      path: 'st-risk-platform',
      'fail-on-severity': 'critical',
      'upload-sarif': 'false',
      'job-summary': 'false',
      args: '--only compose/* --skip compose/central-logging',
    });
    expect(r.outputs['exit-code']).toBe('0');
    expect(r.stepLog.find((s) => s.name === 'Gate')?.code).toBe(0);
    expect(r.uses.map((u) => u.uses)).toEqual(['actions/setup-node@v4']);
    expect(r.summary).toBe('');
    const report = JSON.parse(readFileSync(join(r.ctx.workspace, r.outputs['json-report']!), 'utf8'));
    expect(report.results.every((x: { id: string }) => x.id.startsWith('compose/'))).toBe(true);
    expect(report.gate.failOnSeverity).toBe('critical');
  }, 120_000);

  it('reports bad input as exit code 2 and fails the job', () => {
    const r = runAction({ path: 'st-risk-platform', 'fail-on': 'sometimes' });
    expect(r.outputs['exit-code']).toBe('2');
    expect(r.stepLog.find((s) => s.name === 'Gate')?.code).toBe(2);
  }, 120_000);
});
