// The audit without a user interface: collect (or read recorded) facts, run the checks of a
// registry on them, judge the results. The CLI parses flags and the config into a plan and calls
// these; `strisk/testing` calls them too, so a plugin's tests see what an audit would.
import { relative } from 'node:path';
import type { ComposeFacts } from '../collectors/compose/schema.js';
import { conformed } from '../collectors/conforms.js';
import { type CollectWatcher, collectLive, type LiveSourceName } from '../collectors/live.js';
import { sourceFactsSchema } from '../collectors/schemas.js';
import type { TargetSpec } from '../collectors/types.js';
import { composeDockerfilePath } from '../facts/dockerfile.js';
import { type Baseline, baselineTarget } from '../policy/baseline.js';
import { VERSION } from '../version.js';
import type { CheckDefinition, Severity } from './check.js';
import { runChecks } from './engine.js';
import { InputError } from './errors.js';
import {
  type Attestation,
  FACTS_SCHEMA_VERSION,
  type Facts,
  FactsSchema,
  type SourceName,
  type TargetFacts,
} from './facts.js';
import { buildReport, type Policy } from './gate.js';
import { readJsonRecording } from './local-file.js';
import type { CheckResult, Report } from './report.js';
import { parseBytes } from './units.js';

/** What to collect, resolved from flags, config and environment by the caller. */
export interface CollectPlan {
  projectDir: string;
  env: Record<string, string | undefined>;
  /** Compose files (default: the compose file of the project dir) and profiles. */
  composeFiles?: string[];
  profiles?: string[];
  envFile?: string;
  projectName?: string;
  /** Dockerfiles (default: those found by name in the project dir). */
  dockerfiles?: string[];
  /** `docker save` archives to audit without an engine. */
  imageArchives?: string[];
  /** Live targets per source; none for a files-only audit. */
  live?: Partial<Record<LiveSourceName, TargetSpec[]>>;
  timeoutMs?: number;
  machine?: { memory?: number | string; cpus?: number };
  roles?: Facts['roles'];
  attestations?: Attestation[];
  /** PostgreSQL settings to read beside the checks' own (those the config's declared checks name). */
  postgresSettings?: string[];
  /** Kubernetes manifests: files, directories or `-` for stdin (default: k8s/, deploy/… of the project). */
  k8sPaths?: string[];
  /** Told as each live target is read (progress on a terminal). */
  progress?: CollectWatcher;
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

/** The Dockerfiles the compose targets build, relative to the project dir. */
function composeBuildFiles(targets: readonly TargetFacts<ComposeFacts>[]): string[] {
  const files = targets.flatMap((t) =>
    (t.data?.services ?? []).flatMap((s) => {
      const file = s.build ? composeDockerfilePath(s.build) : undefined;
      return file === undefined ? [] : [file];
    }),
  );
  return [...new Set(files)];
}

/** Reads every source of the plan, read-only and in parallel, into one facts snapshot. */
export async function collectFacts(plan: CollectPlan): Promise<Facts> {
  const started = performance.now();
  const { projectDir } = plan;
  const timeoutMs = plan.timeoutMs ?? 5000;
  const live: Partial<Record<LiveSourceName, TargetSpec[]>> = { ...plan.live };
  // The app's parser loads while the other collectors load and read: in a worker thread that will
  // parse the app, started first, or, on one core, here (its WASM compiles off this thread).
  if (live.app?.length && !(await import('../collectors/app/source.js')).prestartWorker())
    (await import('../collectors/app/parser.js')).preloadParser();
  const { collectCompose } = await import('../collectors/compose/index.js');
  const { collectDockerfiles } = await import('../collectors/dockerfile/index.js');
  const { collectK8s } = await import('../collectors/k8s/index.js');
  // The file sources first (milliseconds): the docker target learns the compose project and images.
  const composeRead = collectCompose({
    projectDir,
    files: plan.composeFiles,
    profiles: plan.profiles,
    envFile: plan.envFile,
    env: plan.env,
    projectName: plan.projectName,
  });
  // The Dockerfiles compose builds are read wherever they are (`build: ../backend`), so that
  // read waits for compose.
  const dockerfileRead = composeRead.then((targets) =>
    collectDockerfiles({ projectDir, files: plan.dockerfiles, composeBuilds: composeBuildFiles(targets) }),
  );
  // The app's source is local files and needs nothing of the other sources: it is read beside
  // the file sources, so that its worker parses while this thread reads YAML and Dockerfiles.
  const appRead = live.app
    ? collectLive({ app: live.app }, { timeoutMs, projectDir }, plan.progress)
    : Promise.resolve([]);
  const [compose, dockerfile, k8s] = await Promise.all([
    composeRead,
    dockerfileRead,
    collectK8s({ projectDir, paths: plan.k8sPaths, env: plan.env }),
  ]);
  const archives = (plan.imageArchives ?? []).map((file) => ({
    url: '',
    name: `archive ${file}`,
    archive: file,
  }));
  if (archives.length > 0) live.docker = [...(live.docker ?? []), ...archives];
  if (live.docker) live.docker = live.docker.map((spec) => withComposeProject(spec, compose[0]?.data));
  // The PostgreSQL settings the config's declared checks name are read with the checks' own.
  const settings = plan.postgresSettings ?? [];
  if (live.postgres && settings.length > 0)
    live.postgres = live.postgres.map((spec) => ({ ...spec, settings }));
  // The HTTP probe takes the endpoints to probe from the app's GET routes when the app is given.
  const appDir = live.app?.[0]?.url;
  if (live.http && appDir) live.http = live.http.map((spec) => ({ appDir, ...spec }));
  // All the other sources at once, then the http load on its own (collectors/live.ts).
  const { app: _app, ...servers } = live;
  const others = await collectLive(servers, { timeoutMs, projectDir }, plan.progress);
  const read = new Map([...(await appRead), ...others]);
  // In the order the sources were given, as before.
  const liveResults = Object.keys(live).flatMap((s) => {
    const targets = read.get(s as LiveSourceName);
    return targets ? [[s, targets] as const] : [];
  });
  const sources: Facts['sources'] = {};
  if (compose.length > 0) sources.compose = compose as TargetFacts[];
  if (dockerfile.length > 0) sources.dockerfile = dockerfile as TargetFacts[];
  if (k8s.length > 0) sources.k8s = k8s as TargetFacts[];
  for (const [source, targets] of liveResults) sources[source as LiveSourceName] = targets;
  const memory = plan.machine?.memory;
  return conformed(FactsSchema, {
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
      cpus: plan.machine?.cpus,
    },
    roles: plan.roles ?? {},
    attestations: plan.attestations,
    sources,
  });
}

/**
 * Recorded facts (`--save-facts`) as the checks expect them: the envelope and each source's data
 * through its own schema, so defaults of fields added since the recording are filled in and data
 * of a shape no check knows is refused here rather than crashing a check. `file` names the input
 * in messages.
 */
export async function parseFacts(raw: unknown, file?: string): Promise<Facts> {
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
  for (const [source, targets] of Object.entries(parsed.data.sources)) {
    if (!targets) continue;
    const schema = await sourceFactsSchema(source as SourceName);
    if (!schema) continue;
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

export async function readFacts(file: string): Promise<Facts> {
  const raw = readJsonRecording(file, 'facts', 'facts are not JSON');
  return parseFacts(raw, file);
}

/**
 * Facts no check can change: a check (a plugin's above all) that writes to them throws, and is an
 * `error`. Facts are a JSON tree (no cycles); an indexed loop and `for…in` keep this to ~30 ms for
 * 10,000 ClickHouse tables of 20 columns.
 */
export function freezeFacts<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) freezeFacts(value[i]);
  else for (const key in value) freezeFacts((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

export interface JudgeRequest {
  checks: readonly CheckDefinition[];
  /** Per-check options and severities from the config. */
  options?: Record<string, unknown>;
  severity?: Record<string, Severity>;
  policy: Policy;
  baseline?: Baseline;
  /** Since the audit started, for the report. */
  startedAt: number;
}

/** Runs the checks on the facts and judges the results: the report. The facts are frozen from here on. */
export function judgeFacts(facts: Facts, req: JudgeRequest): { results: CheckResult[]; report: Report } {
  // The baseline is policy input, not something collected: it is not recorded with the facts.
  if (req.baseline) facts.sources.baseline = [baselineTarget(req.baseline) as TargetFacts];
  else delete facts.sources.baseline;
  freezeFacts(facts);
  const results = runChecks(req.checks, facts, { options: req.options, severity: req.severity });
  const report = buildReport(facts, results, req.policy, Math.round(performance.now() - req.startedAt));
  return { results, report };
}
