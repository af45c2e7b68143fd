import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { cancelPrestart } from '../collectors/app/prestarted.js';
import { COMPOSE_FILE_NAMES } from '../collectors/compose/names.js';
import type { ComposeFacts } from '../collectors/compose/schema.js';
import type { DockerfileFacts } from '../collectors/dockerfile/schema.js';
import type { K8sFacts } from '../collectors/k8s/schema.js';
import { LIVE_SOURCES, type LiveSourceInfo, type LiveSourceName } from '../collectors/live.js';
import type { TargetSpec } from '../collectors/types.js';
import { findConfig, type LoadedConfig, loadConfig } from '../config/load.js';
import { ROADMAP } from '../core/catalogue.js';
import { SEVERITIES, type Severity } from '../core/check.js';
import { InputError } from '../core/errors.js';
import type { Facts } from '../core/facts.js';
import { assertRegularFile } from '../core/local-file.js';
import { nearest } from '../core/nearest.js';
import { loadRegistry } from '../core/plugins.js';
import { redactUrl } from '../core/redact-url.js';
import type { Registry } from '../core/registry.js';
import { FAIL_ON, type FailOn } from '../core/report.js';
import { collectFacts, judgeFacts, readFacts } from '../core/runner.js';
import { selectChecks } from '../core/select.js';
import { holdYoungGeneration, LONG_RUN_BYTES, optimizeFromNowOn } from '../core/v8-flags.js';
import { explainRoles } from '../facts/compose-roles.js';
import { explainK8sRoles } from '../facts/k8s.js';
import { type Baseline, readBaseline } from '../policy/baseline.js';
import { alignBaseline, alignWaivers, runTargets } from '../policy/legacy-targets.js';
import { colorWanted, loadColors } from '../reporters/color.js';
import { factsText } from '../reporters/escape.js';
import type { RolesSection } from '../reporters/roles.js';
import { auditInputs, collectedInputs, namedComposeFiles } from './inputs.js';
import { reportLocations, repositoryRoot } from './locations.js';
import {
  FORMATS_SHOWING_GIT,
  type OutputSpec,
  parseFormats,
  planOutputs,
  render,
  writeDescriptors,
  writeOutputs,
} from './output.js';
import { pluginRequests, withDeclared } from './plugins.js';
import { NO_PROGRESS, terminalProgress } from './progress.js';
import { gitState, signoffInfo } from './signoff-info.js';

export interface AuditFlags {
  config?: string;
  compose?: string[];
  profile?: string[];
  dockerfile?: string[];
  k8s?: string[];
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
  plugin?: string[];
  /** The repository root SARIF and annotation paths start from (default: git's, from DIR). */
  repoRoot?: string;
  /** `--no-inline-ignores` sets it false: `# strisk-ignore` comments are not applied. */
  inlineIgnores?: boolean;
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
  throw new InputError(
    `${where.label}: the target URL cannot be read (${redactUrl(url)}): percent-encode the user name and ` +
      'password (# as %23, / as %2F, ? as %3F, @ as %40, : as %3A, % as %25, space as %20)',
    where.file,
    where.line,
  );
}

/**
 * Whether the audit may build large facts: a server (a ClickHouse of 10,000 tables, a fleet of
 * containers), recorded facts or compose files of 256 KiB or more. Then the CLI's process holds
 * V8's young generation at the size it has reached (src/core/v8-flags.ts), which keeps the peak of
 * a 5,000-service compose file at ~17 x its size instead of ~34 x. A small static audit does not:
 * held from the start, the young generation scavenged 27 times in the audit of the example
 * instead of 8 (BENCHMARKS.md, "Start-up"). Such a run also turns V8's optimising compiler back on
 * (optimizeFromNowOn), as the HTTP probe's does; other local input once it adds up to
 * LONG_RUN_BYTES (src/core/v8-flags.ts).
 */
export function readsMuch(
  projectDir: string,
  flags: AuditFlags,
  loaded: LoadedConfig,
  live: Record<string, unknown>,
  env: Record<string, string | undefined>,
): boolean {
  // The app's facts are a summary of its source, the HTTP probe's a few figures: small.
  const servers = Object.keys(live).filter((source) => source !== 'app' && source !== 'http');
  if (servers.length > 0 || (flags.imageArchive?.length ?? 0) > 0) return true;
  const compose = namedComposeFiles(flags, loaded.config, env);
  const named = flags.facts ? [flags.facts] : [...compose.named, ...compose.fromEnv, ...COMPOSE_FILE_NAMES];
  let bytes = 0;
  for (const f of named) bytes += statSync(resolve(projectDir, f), { throwIfNoEntry: false })?.size ?? 0;
  return bytes >= LONG_RUN_BYTES;
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
  // An image archive is read while the live sources are collected: a missing one, a directory, a
  // FIFO (which would block until the deadline) or a device is refused here, before any I/O.
  if (!flags.facts)
    for (const f of flags.imageArchive ?? [])
      assertRegularFile(resolve(projectDir, f), { what: 'image archive (--image-archive)', display: f });
  const failOnValue = flags.failOn ?? loaded.config.failOn ?? 'fail';
  if (!(FAIL_ON as readonly string[]).includes(failOnValue)) {
    throw new InputError(`--fail-on expects ${FAIL_ON.join(', ')}, got "${failOnValue}"`);
  }
  if (failOnValue === 'regression' && !flags.baseline)
    throw new InputError('--fail-on regression needs --baseline REPORT.json');
  const failOnSeverity = flags.failOnSeverity ?? loaded.config.failOnSeverity;
  if (failOnSeverity !== undefined && !(SEVERITIES as readonly string[]).includes(failOnSeverity))
    throw new InputError(`--fail-on-severity expects ${SEVERITIES.join(', ')}, got "${failOnSeverity}"`);
  if (failOnSeverity !== undefined && failOnValue === 'never')
    throw new InputError('--fail-on-severity gates failures: it cannot be combined with --fail-on never');
  const baseline: Baseline | undefined = flags.baseline ? readBaseline(flags.baseline) : undefined;
  const minScore = intOption(flags.minScore, '--min-score', 0, 100) ?? loaded.config.minScore;
  const only = [...(flags.only ?? []), ...(loaded.config.checks?.only ?? [])];
  const skip = [...(flags.skip ?? []), ...(loaded.config.checks?.skip ?? [])];
  // Plugins load (and a bad one stops the run) before any source is read.
  const registry = withDeclared(
    await loadRegistry(pluginRequests(flags.plugin ?? [], loaded, projectDir)),
    loaded,
  );
  // The config's declarative checks (checks.custom) are in the registry, beside the plugins'.
  const { selected, unmatched } = selectChecks(
    registry.checks,
    only,
    skip,
    ROADMAP.map((e) => e.id),
  );
  if (unmatched.length > 0) {
    const near = unmatched.map((u) => didYouMean(u, knownIds(registry)));
    throw new InputError(
      `--only/--skip matched no check: ${unmatched.map((u, i) => `${u}${near[i]}`).join(', ')}`,
    );
  }
  checkOptions(loaded, registry);
  checkPolicyIds(loaded, registry);
  // Every output is resolved now: one named twice, or one that is an input of the audit, is
  // refused before any source is read.
  const outputFiles = [
    ...(flags.saveFacts ? [{ path: flags.saveFacts, label: '--save-facts' }] : []),
    ...outputs.flatMap((o) => (o.path ? [{ path: o.path, label: `--format ${o.format}` }] : [])),
  ];
  const live = flags.facts ? {} : liveTargets(flags, loaded, io.env);
  // bin/strisk.js may have started the app's parse worker as the audit started: not needed here.
  if (!live.app?.length) cancelPrestart();
  const appDirs = (live.app ?? []).map((t) => t.url);
  const inputs = auditInputs(projectDir, flags, loaded, appDirs, io.env);
  planOutputs(outputFiles, inputs);

  // Progress on stderr while live sources are read, for a terminal only and not with -q.
  const stderr = io.stderr ?? ((t: string) => process.stderr.write(t));
  const progress =
    io.stderrTTY && !flags.quiet && Object.keys(live).length + (flags.imageArchive?.length ?? 0) > 0
      ? terminalProgress({ write: stderr, columns: process.stderr.columns })
      : NO_PROGRESS;
  const config = loaded.config;
  const timeoutMs = intOption(flags.timeout, '--timeout', 100, 600_000) ?? config.timeoutMs ?? 5000;
  // What git says is asked once the command line is known to be good (a refused one does not wait
  // for git), and awaited for the report: the sources are read meanwhile.
  const gitShown = outputs.some((o) => FORMATS_SHOWING_GIT.has(o.format));
  const repoRoot = repositoryRoot(projectDir, flags.repoRoot, gitShown);
  const git = flags.facts || !gitShown ? undefined : gitState(projectDir);
  let facts: Facts;
  if (readsMuch(projectDir, flags, loaded, live, io.env)) {
    holdYoungGeneration();
    optimizeFromNowOn();
  } else if (live.http?.length) optimizeFromNowOn(); // the probe's load, at full speed
  try {
    facts = flags.facts
      ? await readFacts(flags.facts)
      : await collectFacts({
          projectDir,
          env: io.env,
          composeFiles: flags.compose?.length ? flags.compose : config.compose?.files,
          profiles: flags.profile?.length ? flags.profile : config.compose?.profiles,
          envFile: config.compose?.envFile,
          projectName: config.project,
          dockerfiles: flags.dockerfile?.length ? flags.dockerfile : config.dockerfiles,
          k8sPaths: flags.k8s?.length ? flags.k8s : config.k8s,
          imageArchives: flags.imageArchive,
          live,
          timeoutMs,
          machine: config.machine,
          roles: config.roles,
          attestations: config.attestations,
          postgresSettings: (config.checks?.custom ?? []).flatMap((c) =>
            c.source === 'postgres' && c.setting ? [c.setting] : [],
          ),
          progress,
        });
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
  const savedFacts = flags.saveFacts ? `${factsText(facts)}\n` : undefined;
  const tolerance = loaded.config.baseline?.tolerance;
  const options = { ...loaded.config.checks?.options };
  if (tolerance) options['report/before-after'] = { tolerance, ...options['report/before-after'] };
  // A baseline or waiver that names a PostgreSQL / PgBouncer target the old way (no user) still matches.
  const targets = runTargets(facts);
  const alignedBaseline = baseline && alignBaseline(baseline, targets);
  const { report } = judgeFacts(facts, {
    checks: selected,
    options,
    severity: loaded.config.checks?.severity,
    baseline: alignedBaseline,
    startedAt: started,
    policy: {
      failOn: failOnValue as FailOn,
      failOnSeverity: failOnSeverity as Severity | undefined,
      minScore,
      allowIncomplete: flags.allowIncomplete,
      waivers: alignWaivers(loaded.config.waivers, targets),
      baseline: alignedBaseline,
      tolerances: tolerance,
      inlineIgnores: flags.inlineIgnores !== false,
      knownChecks: [...registry.byId.keys(), ...ROADMAP.map((e) => e.id)],
    },
  });
  report.locations = reportLocations(projectDir, await repoRoot, loaded, facts, selected);
  report.signoff = signoffInfo(await git, loaded, flags);
  const color = colorWanted(flags.color, io.env, io.isTTY);
  const rendered = await Promise.all(
    outputs.map(async (o) => ({
      o,
      text: await render(report, o.format, {
        color: o.path ? false : color,
        verbose: flags.verbose,
        quiet: flags.quiet,
        width: o.path ? undefined : io.columns,
        rules: selected,
      }),
    })),
  );
  const texts = [
    ...(savedFacts === undefined ? [] : [savedFacts]),
    ...rendered.flatMap(({ o, text }) => (o.path ? [text] : [])),
  ];
  const files = planned.map((output, i) => ({ output, text: texts[i]! }));
  writeOutputs(files);
  const toStdout = outputs.find((o) => !o.path);
  if (flags.explainRoles || (flags.verbose && toStdout?.format === 'terminal')) {
    // Beside a terminal report on stdout; beside a machine-readable one, on stderr, so it stays parseable.
    const { rolesReport } = await import('../reporters/roles.js');
    const colored = toStdout?.format === 'terminal' && color;
    const text = rolesReport(roleSections(facts), {
      color: colored,
      colors: colored ? await loadColors() : undefined,
    });
    if (!toStdout || toStdout.format === 'terminal') io.stdout(`${text}\n`);
    else (io.stderr ?? ((t: string) => process.stderr.write(t)))(text);
  }
  for (const { o, text } of rendered) if (!o.path) io.stdout(text);
  writeDescriptors(files, io.stdout);
  return report.gate.exitCode;
}

/** The role of every service of every compose model read, and of every Kubernetes container, and why. */
function roleSections(facts: Facts): RolesSection[] {
  // The Dockerfiles read tell a service that only builds an image (a one-shot, build-only).
  const dockerfiles = (facts.sources.dockerfile ?? []).flatMap((t) =>
    t.status === 'ok' && t.data ? [t.data as DockerfileFacts] : [],
  );
  const compose = (facts.sources.compose ?? []).flatMap((t) => {
    const data = t.data as ComposeFacts | undefined;
    return data ? [{ target: t.target, services: explainRoles(data, facts.roles, dockerfiles) }] : [];
  });
  const k8s = (facts.sources.k8s ?? []).flatMap((t) => {
    const data = t.data as K8sFacts | undefined;
    return data ? [{ target: t.target, services: explainK8sRoles(data, facts.roles) }] : [];
  });
  return [...compose, ...k8s];
}

const knownIds = (registry: Registry) => [...new Set([...ROADMAP.map((e) => e.id), ...registry.byId.keys()])];

/** `; did you mean redis/aof?` when a known name is near the one given, else nothing. */
function didYouMean(name: string, candidates: readonly string[]): string {
  const near = nearest(name, candidates);
  return near ? ` (did you mean ${near}?)` : '';
}

/**
 * Per-check options and severities name an implemented check, and options pass the check's own
 * schema with no unknown key: a typo or a bad threshold is bad input (exit 2), never an `error`
 * result or a silently ignored setting.
 */
function checkOptions(loaded: LoadedConfig, registry: Registry): void {
  const byId = registry.byId;
  for (const id of Object.keys(loaded.config.checks?.severity ?? {})) {
    if (!byId.has(id))
      throw new InputError(
        `checks.severity: unknown check "${id}"${didYouMean(id, [...byId.keys()])}`,
        loaded.file,
        loaded.lineAt?.(['checks', 'severity', id]),
      );
  }
  for (const [id, value] of Object.entries(loaded.config.checks?.options ?? {})) {
    const def = byId.get(id);
    if (!def)
      throw new InputError(
        `checks.options: unknown check "${id}"${didYouMean(id, [...byId.keys()])}`,
        loaded.file,
        loaded.lineAt?.(['checks', 'options', id]),
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
      loaded.lineAt?.(['checks', 'options', id, ...(key === undefined ? [] : [String(key)])]),
    );
  }
}

/** Waivers and attestations must name a known check; the message points at the config line. */
function checkPolicyIds(loaded: LoadedConfig, registry: Registry): void {
  const known = new Set([...ROADMAP.map((e) => e.id), ...registry.byId.keys()]);
  const attestable = new Set(
    [...registry.checks, ...ROADMAP].filter((e) => e.kind === 'attest').map((e) => e.id),
  );
  for (const [i, w] of (loaded.config.waivers ?? []).entries()) {
    if (!known.has(w.check))
      throw new InputError(
        `waivers: unknown check "${w.check}"${didYouMean(w.check, [...known])}`,
        loaded.file,
        loaded.lineAt?.(['waivers', i, 'check']),
      );
  }
  for (const [i, a] of (loaded.config.attestations ?? []).entries()) {
    if (!attestable.has(a.check))
      throw new InputError(
        `attestations: "${a.check}" is not an attestation item (strisk checks lists kind attest)`,
        loaded.file,
        loaded.lineAt?.(['attestations', i, 'check']),
      );
  }
}
