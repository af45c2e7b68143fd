import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { z } from 'zod';
import { CHECKS } from '../checks/index.js';
import type { ComposeFacts } from '../collectors/compose/schema.js';
import { collectTarget, LIVE_SOURCES, type LiveSourceInfo, type LiveSourceName } from '../collectors/live.js';
import { redactUrl, type TargetSpec } from '../collectors/types.js';
import { findConfig, type LoadedConfig, loadConfig } from '../config/load.js';
import { CATALOGUE } from '../core/catalogue.js';
import { SEVERITIES, type Severity } from '../core/check.js';
import { runChecks } from '../core/engine.js';
import { InputError } from '../core/errors.js';
import {
  FACTS_SCHEMA_VERSION,
  type Facts,
  FactsSchema,
  type SourceName,
  type TargetFacts,
} from '../core/facts.js';
import { buildReport } from '../core/gate.js';
import { FAIL_ON, type FailOn, type Report } from '../core/report.js';
import { nearest } from '../core/nearest.js';
import { selectChecks } from '../core/select.js';
import { parseBytes } from '../core/units.js';
import { type Baseline, baselineTarget, lineAt, readBaseline } from '../policy/baseline.js';
import { jsonText } from '../reporters/escape.js';
import { colorWanted } from '../reporters/terminal.js';
import { explainRoles } from '../facts/compose-roles.js';
import { type RolesSection, rolesReport } from '../reporters/roles.js';
import { SOURCE_FACTS_SCHEMAS } from '../collectors/schemas.js';
import { RECORDING_MAX_BYTES, readLocalFileSync } from '../core/local-file.js';
import { VERSION } from '../version.js';
import { auditInputs, collectedInputs } from './inputs.js';
import { signoffInfo } from './signoff-info.js';
import { NO_PROGRESS, type Progress, terminalProgress } from './progress.js';
import {
  type OutputSpec,
  parseFormats,
  planOutputs,
  render,
  writeDescriptors,
  writeOutputs,
} from './output.js';

export interface AuditFlags {
  config?: string;
  compose?: string[];
  profile?: string[];
  dockerfile?: string[];
  only?: string[];
  skip?: string[];
  format?: string[];
  failOn?: string;
  failOnSeverity?: string;
  minScore?: string;
  allowIncomplete?: boolean;
  saveFacts?: string;
  imageArchive?: string[];
  facts?: string;
  baseline?: string;
  timeout?: string;
  verbose?: boolean;
  explainRoles?: boolean;
  quiet?: boolean;
  /** Sign-off block of the HTML report. */
  approver?: string;
  environment?: string;
  /** --color / --no-color; undefined when neither was given. */
  color?: boolean;
  [liveFlag: string]: unknown;
}

export interface AuditIO {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  /** Where notes go when stdout carries a machine-readable report (default: process.stderr). */
  stderr?: (text: string) => void;
  isTTY: boolean;
  /** The terminal's width when stdout is one: the terminal report wraps to it. */
  columns?: number;
  /** Whether stderr is a terminal: progress is shown there only then. */
  stderrTTY?: boolean;
}

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new InputError(`${name} expects a number from ${min} to ${max}, got "${value}"`);
  return n;
}

function targetsOf(value: unknown): TargetSpec[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((t) => (typeof t === 'string' ? { url: t } : (t as TargetSpec)));
}

/** Live targets: flags first, else the config, else the source's environment variable. */
export function liveTargets(
  flags: AuditFlags,
  loaded: LoadedConfig,
  env: AuditIO['env'],
): Partial<Record<LiveSourceName, TargetSpec[]>> {
  const out: Partial<Record<LiveSourceName, TargetSpec[]>> = {};
  for (const [name, info] of Object.entries(LIVE_SOURCES as Record<string, LiveSourceInfo>)) {
    const source = name as LiveSourceName;
    const fromFlags = targetsOf(flags[info.flag] as string[] | undefined);
    const fromConfig = targetsOf((loaded.config.targets as Record<string, unknown> | undefined)?.[source]);
    const envName = info.env.find((e) => env[e]);
    const fromEnv = envName ? [{ url: env[envName]! }] : [];
    // Where a bad URL came from, for the message: the flag, the config's line, the variable.
    const where: Where =
      fromFlags.length > 0
        ? { label: `--${info.flag}` }
        : fromConfig.length > 0
          ? {
              label: `targets.${source}`,
              file: loaded.file,
              line: loaded.lineAt?.(['targets', source]),
            }
          : { label: envName ?? source };
    const specs = fromFlags.length > 0 ? fromFlags : fromConfig.length > 0 ? fromConfig : fromEnv;
    for (const spec of specs) {
      checkScheme(info, spec.url, where);
      // The API's URL may hold an `@` in its path (`/users/@me`); a server's does not.
      if (info.schemes && info.schemes.length > 0) checkCredentials(spec.url, where, info.flag !== 'http');
    }
    if (specs.length > 0) out[source] = specs;
  }
  return out;
}

interface Where {
  label: string;
  file?: string;
  line?: number;
}

/** A target URL of the wrong kind is a usage error (exit 2), caught before anything is read. */
function checkScheme(info: LiveSourceInfo, url: string, where: Where): void {
  if (!info.schemes || url === '' || (info.flag === 'docker' && url.startsWith('/'))) return;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !info.schemes.includes(scheme)) {
    const expected = info.schemes.map((s) => `${s}://`).join(', ');
    throw new InputError(
      `${where.label}: expected a URL starting with ${expected}; got "${redactUrl(url)}"`,
      where.file,
      where.line,
    );
  }
}

/**
 * The user name and password in a target URL must be percent-encoded: an unencoded `#`, `?` or
 * `/` ends the host part early (the rest is read as a fragment, query or path, and the password
 * as a port or a host), and a `%` without two hex digits cannot be decoded ("URI malformed").
 * The message shows the host, never the password.
 */
function checkCredentials(url: string, where: Where, atInPathIsCut: boolean): void {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(url);
  if (!m) return;
  const rest = m[2]!;
  const delimiter = rest.search(/[/?#]/);
  const at = rest.lastIndexOf('@');
  const authorityEnd = delimiter < 0 ? rest.length : delimiter;
  // An `@` after a delimiter with none before it: the credentials were cut at the delimiter
  // (unless it is plainly a query value, `?application_name=a@b`).
  const cut =
    atInPathIsCut &&
    at > authorityEnd &&
    !rest.slice(0, authorityEnd).includes('@') &&
    !/[=&]/.test(rest.slice(authorityEnd, at));
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  let undecodable = false;
  if (parsed) {
    try {
      decodeURIComponent(parsed.username);
      decodeURIComponent(parsed.password);
    } catch {
      undecodable = true;
    }
  }
  if (!cut && parsed && !undecodable) return;
  const host =
    at >= 0 ? rest.slice(at + 1).split(/[/?#]/)[0] : rest.slice(0, authorityEnd).replace(/^[^@]*@/, '');
  const shown = `${m[1]}://${at >= 0 ? '***@' : ''}${host}`;
  throw new InputError(
    `${where.label}: the target URL cannot be read (${shown}): percent-encode the user name and ` +
      'password (# as %23, / as %2F, ? as %3F, @ as %40, : as %3A, % as %25, space as %20)',
    where.file,
    where.line,
  );
}

/**
 * A docker engine target audits the compose project's containers and the images its services
 * name, unless the config says otherwise (`project:`, `images:` on the target). An archive
 * target keeps its own image list.
 */
function withComposeProject(spec: TargetSpec, compose: ComposeFacts | undefined): TargetSpec {
  if (!compose || spec.archive) return spec;
  const images = compose.services.flatMap((s) =>
    s.image && !s.image.value.includes('${') ? [s.image.value] : [],
  );
  return { project: compose.projectName, images: [...new Set(images)], ...spec };
}

async function collect(
  projectDir: string,
  flags: AuditFlags,
  loaded: LoadedConfig,
  live: Partial<Record<LiveSourceName, TargetSpec[]>>,
  io: AuditIO,
  progress: Progress = NO_PROGRESS,
): Promise<Facts> {
  const started = performance.now();
  const config = loaded.config;
  const timeoutMs = intOption(flags.timeout, '--timeout', 100, 600_000) ?? config.timeoutMs ?? 5000;
  const { collectCompose } = await import('../collectors/compose/index.js');
  const { collectDockerfiles } = await import('../collectors/dockerfile/index.js');
  // The file sources first (milliseconds): the docker target learns the compose project and images.
  const [compose, dockerfile] = await Promise.all([
    collectCompose({
      projectDir,
      files: flags.compose?.length ? flags.compose : config.compose?.files,
      profiles: flags.profile?.length ? flags.profile : config.compose?.profiles,
      envFile: config.compose?.envFile,
      env: io.env,
      projectName: config.project,
    }),
    collectDockerfiles({
      projectDir,
      files: flags.dockerfile?.length ? flags.dockerfile : config.dockerfiles,
    }),
  ]);
  const archives = (flags.imageArchive ?? []).map((file) => ({
    url: '',
    name: `archive ${file}`,
    archive: file,
  }));
  if (archives.length > 0) live.docker = [...(live.docker ?? []), ...archives];
  if (live.docker) live.docker = live.docker.map((spec) => withComposeProject(spec, compose[0]?.data));
  // The HTTP probe takes the endpoints to probe from the app's GET routes when the app is given.
  const appDir = live.app?.[0]?.url;
  if (live.http && appDir) live.http = live.http.map((spec) => ({ appDir, ...spec }));
  const liveResults = await Promise.all(
    (Object.entries(live) as [LiveSourceName, TargetSpec[]][]).map(async ([source, specs]) => {
      const targets = await Promise.all(
        specs.map(async (spec) => {
          const label = spec.name ?? redactUrl(spec.url);
          progress.begin(source, label);
          const t = await collectTarget(source as LiveSourceName, spec, { timeoutMs, projectDir });
          progress.end(source, label, t.status, t.message);
          return t;
        }),
      );
      return [source, targets] as const;
    }),
  );
  const sources: Facts['sources'] = {};
  if (compose.length > 0) sources.compose = compose as TargetFacts[];
  if (dockerfile.length > 0) sources.dockerfile = dockerfile as TargetFacts[];
  for (const [source, targets] of liveResults) sources[source as LiveSourceName] = targets;
  const memory = config.machine?.memory;
  return FactsSchema.parse({
    schemaVersion: FACTS_SCHEMA_VERSION,
    tool: { name: 'strisk', version: VERSION },
    collectedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    projectDir: relative(process.cwd(), projectDir) || '.',
    machine: {
      memoryBytes:
        memory === undefined
          ? undefined
          : typeof memory === 'number'
            ? memory
            : (parseBytes(memory) ?? undefined),
      cpus: config.machine?.cpus,
    },
    roles: config.roles ?? {},
    attestations: config.attestations,
    sources,
  });
}

export function readFacts(file: string): Facts {
  let text: string;
  try {
    // A FIFO or a device is refused (it could block for ever), and the size is bounded.
    text = readLocalFileSync(file, { what: 'facts', maxBytes: RECORDING_MAX_BYTES });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read facts: ${String(err)}`, file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InputError(`facts are not JSON: ${message}`, file, lineAt(text, message));
  }
  const version = (raw as { schemaVersion?: unknown })?.schemaVersion;
  if (version !== FACTS_SCHEMA_VERSION) {
    throw new InputError(
      `facts schemaVersion ${String(version)} is not supported (expected ${FACTS_SCHEMA_VERSION})`,
      file,
    );
  }
  const parsed = FactsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`invalid facts at ${issue.path.join('.') || 'top level'}: ${issue.message}`, file);
  }
  // Each source's data through its own schema: defaults of fields added since the recording are
  // filled in, and data of a shape no check knows is refused here rather than crashing a check.
  for (const [source, targets] of Object.entries(parsed.data.sources)) {
    const schema = SOURCE_FACTS_SCHEMAS[source as SourceName];
    if (!schema || !targets) continue;
    for (const [i, target] of targets.entries()) {
      if (target.data === undefined) continue;
      const data = schema.safeParse(target.data);
      if (!data.success) {
        const issue = data.error.issues[0]!;
        const at = ['sources', source, i, 'data', ...issue.path].join('.');
        throw new InputError(`invalid facts at ${at}: ${issue.message}`, file);
      }
      target.data = data.data;
    }
  }
  return parsed.data;
}

/** The whole audit: config → facts → results → report → outputs. Returns the exit code. */
export async function audit(dir: string | undefined, flags: AuditFlags, io: AuditIO): Promise<number> {
  const started = performance.now();
  const projectDir = resolve(dir ?? '.');
  if (!flags.facts && (!existsSync(projectDir) || !statSync(projectDir).isDirectory())) {
    throw new InputError(`not a directory: ${dir}`);
  }
  // Everything the user typed is validated before any I/O, so a mistake writes nothing.
  const outputs: OutputSpec[] = parseFormats(flags.format ?? []);
  const configFile = flags.config ?? findConfig(projectDir);
  if (flags.config && !existsSync(flags.config)) throw new InputError('config file not found', flags.config);
  const loaded: LoadedConfig = configFile ? loadConfig(configFile, io.env) : { config: {} };
  const failOnValue = flags.failOn ?? loaded.config.failOn ?? 'fail';
  if (!(FAIL_ON as readonly string[]).includes(failOnValue)) {
    throw new InputError(`--fail-on expects ${FAIL_ON.join(', ')}, got "${failOnValue}"`);
  }
  if (failOnValue === 'regression' && !flags.baseline)
    throw new InputError('--fail-on regression needs --baseline REPORT.json');
  const failOnSeverity = flags.failOnSeverity;
  if (failOnSeverity !== undefined && !(SEVERITIES as readonly string[]).includes(failOnSeverity))
    throw new InputError(`--fail-on-severity expects ${SEVERITIES.join(', ')}, got "${failOnSeverity}"`);
  if (failOnSeverity !== undefined && failOnValue === 'never')
    throw new InputError('--fail-on-severity gates failures: it cannot be combined with --fail-on never');
  const baseline: Baseline | undefined = flags.baseline ? readBaseline(flags.baseline) : undefined;
  const minScore = intOption(flags.minScore, '--min-score', 0, 100) ?? loaded.config.minScore;
  const only = [...(flags.only ?? []), ...(loaded.config.checks?.only ?? [])];
  const skip = [...(flags.skip ?? []), ...(loaded.config.checks?.skip ?? [])];
  const { selected, unmatched } = selectChecks(
    CHECKS,
    only,
    skip,
    CATALOGUE.map((e) => e.id),
  );
  if (unmatched.length > 0) {
    const near = unmatched.map((u) => didYouMean(u, knownIds()));
    throw new InputError(
      `--only/--skip matched no check: ${unmatched.map((u, i) => `${u}${near[i]}`).join(', ')}`,
    );
  }
  checkOptions(loaded);
  checkPolicyIds(loaded);
  // Every output is resolved now: one named twice, or one that is an input of the audit, is
  // refused before any source is read.
  const outputFiles = [
    ...(flags.saveFacts ? [{ path: flags.saveFacts, label: '--save-facts' }] : []),
    ...outputs.flatMap((o) => (o.path ? [{ path: o.path, label: `--format ${o.format}` }] : [])),
  ];
  const live = flags.facts ? {} : liveTargets(flags, loaded, io.env);
  const appDirs = (live.app ?? []).map((t) => t.url);
  const inputs = auditInputs(projectDir, flags, loaded, appDirs, io.env);
  planOutputs(outputFiles, inputs);

  // Progress on stderr while live sources are read, for a terminal only and not with -q.
  const stderr = io.stderr ?? ((t: string) => process.stderr.write(t));
  const progress =
    io.stderrTTY && !flags.quiet && Object.keys(live).length + (flags.imageArchive?.length ?? 0) > 0
      ? terminalProgress({ write: stderr, columns: process.stderr.columns })
      : NO_PROGRESS;
  let facts: Facts;
  try {
    facts = flags.facts
      ? readFacts(flags.facts)
      : await collect(projectDir, flags, loaded, live, io, progress);
  } finally {
    progress.finish();
  }
  // Inputs found while collecting (COMPOSE_FILE from .env, Dockerfiles found by name) are checked too.
  const planned = planOutputs(outputFiles, {
    ...inputs,
    files: [...inputs.files, ...(flags.facts ? [] : collectedInputs(facts, projectDir))],
  });
  // Sign-offs are the config's, also when replaying facts recorded before them.
  if (loaded.config.attestations) facts.attestations = loaded.config.attestations;
  // Written with the reports at the end, so a run that stops on bad input leaves no file behind.
  const savedFacts = flags.saveFacts ? `${jsonText(facts)}\n` : undefined;
  // The baseline is policy input, not something collected: it is not recorded with the facts.
  if (baseline) facts.sources.baseline = [baselineTarget(baseline) as TargetFacts];
  else delete facts.sources.baseline;

  const tolerance = loaded.config.baseline?.tolerance;
  const options = { ...loaded.config.checks?.options };
  if (tolerance) options['report/before-after'] = { tolerance, ...options['report/before-after'] };
  const results = runChecks(selected, facts, {
    options,
    severity: loaded.config.checks?.severity,
  });
  const report: Report = buildReport(
    facts,
    results,
    {
      failOn: failOnValue as FailOn,
      failOnSeverity: failOnSeverity as Severity | undefined,
      minScore,
      allowIncomplete: flags.allowIncomplete,
      waivers: loaded.config.waivers,
      baseline,
      tolerances: tolerance,
    },
    Math.round(performance.now() - started),
  );
  report.signoff = signoffInfo(flags.facts ? undefined : projectDir, loaded, flags);
  const color = colorWanted(flags.color, io.env, io.isTTY);
  const rendered = outputs.map((o) => ({
    o,
    text: render(report, o.format, {
      color: o.path ? false : color,
      verbose: flags.verbose,
      quiet: flags.quiet,
      width: o.path ? undefined : io.columns,
    }),
  }));
  const texts = [
    ...(savedFacts === undefined ? [] : [savedFacts]),
    ...rendered.flatMap(({ o, text }) => (o.path ? [text] : [])),
  ];
  const files = planned.map((output, i) => ({ output, text: texts[i]! }));
  writeOutputs(files);
  const toStdout = outputs.find((o) => !o.path);
  if (flags.explainRoles || (flags.verbose && toStdout?.format === 'terminal')) {
    // Beside a terminal report on stdout; beside a machine-readable one, on stderr, so it stays parseable.
    const text = rolesReport(roleSections(facts), { color: toStdout?.format === 'terminal' && color });
    if (!toStdout || toStdout.format === 'terminal') io.stdout(`${text}\n`);
    else (io.stderr ?? ((t: string) => process.stderr.write(t)))(text);
  }
  for (const { o, text } of rendered) if (!o.path) io.stdout(text);
  writeDescriptors(files, io.stdout);
  return report.gate.exitCode;
}

/** The role of every service of every compose model read, and why. */
function roleSections(facts: Facts): RolesSection[] {
  return (facts.sources.compose ?? []).flatMap((t) => {
    const data = t.data as ComposeFacts | undefined;
    return data ? [{ target: t.target, services: explainRoles(data, facts.roles) }] : [];
  });
}

const knownIds = () => [...new Set([...CATALOGUE.map((e) => e.id), ...CHECKS.map((c) => c.id)])];

/** `; did you mean redis/aof?` when a known name is near the one given, else nothing. */
function didYouMean(name: string, candidates: readonly string[]): string {
  const near = nearest(name, candidates);
  return near ? ` (did you mean ${near}?)` : '';
}

/** The config line that first mentions `id` (then `key`, when given, after it). */
function configLine(loaded: LoadedConfig, id: string, key?: string): number | undefined {
  if (!loaded.file) return undefined;
  const lines = readFileSync(loaded.file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(id));
  if (i < 0) return undefined;
  const k = key === undefined ? -1 : lines.findIndex((l, n) => n > i && l.includes(key));
  return (k >= 0 ? k : i) + 1;
}

/**
 * Per-check options and severities name an implemented check, and options pass the check's own
 * schema with no unknown key: a typo or a bad threshold is bad input (exit 2), never an `error`
 * result or a silently ignored setting.
 */
function checkOptions(loaded: LoadedConfig): void {
  const byId = new Map(CHECKS.map((c) => [c.id, c]));
  for (const id of Object.keys(loaded.config.checks?.severity ?? {})) {
    if (!byId.has(id))
      throw new InputError(
        `checks.severity: unknown check "${id}"${didYouMean(id, [...byId.keys()])}`,
        loaded.file,
        configLine(loaded, id),
      );
  }
  for (const [id, value] of Object.entries(loaded.config.checks?.options ?? {})) {
    const def = byId.get(id);
    if (!def)
      throw new InputError(
        `checks.options: unknown check "${id}"${didYouMean(id, [...byId.keys()])}`,
        loaded.file,
        configLine(loaded, id),
      );
    const schema = def.options instanceof z.ZodObject ? def.options.strict() : def.options;
    const parsed = schema.safeParse(value);
    if (parsed.success) continue;
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
    const optionNames = def.options instanceof z.ZodObject ? Object.keys(def.options.shape) : [];
    const what =
      issue.code === 'unrecognized_keys'
        ? `unknown option "${String(key)}"${didYouMean(String(key), optionNames)}`
        : issue.message;
    const at = [id, ...issue.path.map(String)].join('.');
    throw new InputError(
      `checks.options.${at}: ${what}`,
      loaded.file,
      configLine(loaded, id, key === undefined ? undefined : String(key)),
    );
  }
}

/** Waivers and attestations must name a known check; the message points at the config line. */
function checkPolicyIds(loaded: LoadedConfig): void {
  const known = new Set([...CATALOGUE.map((e) => e.id), ...CHECKS.map((c) => c.id)]);
  const attestable = new Set(CATALOGUE.filter((e) => e.kind === 'attest').map((e) => e.id));
  const lineOf = (id: string) => configLine(loaded, id);
  for (const w of loaded.config.waivers ?? []) {
    if (!known.has(w.check))
      throw new InputError(
        `waivers: unknown check "${w.check}"${didYouMean(w.check, [...known])}`,
        loaded.file,
        lineOf(w.check),
      );
  }
  for (const a of loaded.config.attestations ?? []) {
    if (!attestable.has(a.check))
      throw new InputError(
        `attestations: "${a.check}" is not an attestation item (strisk checks lists kind attest)`,
        loaded.file,
        lineOf(a.check),
      );
  }
}
