// Pure helpers over DockerfileFacts for the dockerfile/* checks: stages, shell commands, copies.
// No I/O and no parser here, so checks can import it.

import type { ComposeService } from '../collectors/compose/schema.js';
import type { DockerfileFacts, Instruction, Stage } from '../collectors/dockerfile/schema.js';
import type { CheckInput, Evidence } from '../core/check.js';

/** Every readable Dockerfile given to a check. */
export function dockerfilesOf(input: CheckInput): DockerfileFacts[] {
  return input.source('dockerfile').flatMap((t) => (t.data ? [t.data] : []));
}

export function at(df: DockerfileFacts, line: number): Pick<Evidence, 'subject' | 'file' | 'line'> {
  return { subject: `${df.file}:${line}`, file: df.file, line };
}

export function finalStage(df: DockerfileFacts): Stage {
  return df.stages.at(-1) as Stage;
}

/** The earlier stage a `--from` / FROM reference names (by name or index), if any. */
export function stageNamed(df: DockerfileFacts, ref: string, before: number): Stage | undefined {
  const lower = ref.toLowerCase();
  return df.stages.find(
    (s) =>
      s.index < before && (s.name?.toLowerCase() === lower || (/^\d+$/.test(ref) && s.index === Number(ref))),
  );
}

/** The stage and the stages it is built FROM, root first. */
export function stageChain(df: DockerfileFacts, stage: Stage): Stage[] {
  const chain = [stage];
  let current = stage;
  while (current.baseImage.stage !== undefined) {
    const parent = stageNamed(df, current.baseImage.stage, current.index);
    if (!parent) break;
    chain.unshift(parent);
    current = parent;
  }
  return chain;
}

/** Parsed `--mount=type=cache,target=/root/.cache` flags of an instruction. */
export function mountsOf(instr: Instruction): Record<string, string>[] {
  return (instr.flags.mount ?? []).map((m) =>
    Object.fromEntries(
      m.split(',').map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 ? [kv.trim(), 'true'] : [kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()];
      }),
    ),
  );
}

function jsonArray(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

const unquote = (t: string) => t.replace(/^(['"])(.*)\1$/, '$2');

/** Source paths of a COPY/ADD from the build context (empty for heredoc copies). */
export function copySources(instr: Instruction): string[] {
  if (instr.heredocs.length > 0) return [];
  const parts = jsonArray(instr.args) ?? instr.args.split(/\s+/).filter(Boolean).map(unquote);
  return parts.slice(0, -1);
}

/** The shell text a RUN executes: its arguments and heredoc bodies. */
export function shellText(instr: Instruction): string {
  const json = jsonArray(instr.args);
  const head = json ? json.join(' ') : instr.args;
  return [head, ...instr.heredocs].join('\n');
}

/** Words before a command that are not the program: `sudo`, and shell keywords that open a branch or body. */
const SHELL_PREFIX = new Set(['sudo', 'then', 'else', 'do', '{', '(', '!']);

/**
 * Simple commands of a RUN as token lists, roughly as a shell would split them: on newlines,
 * `&&`, `||`, `;` and `|`; comments dropped; leading `VAR=value` assignments, `sudo` and shell
 * keywords (`then`, `else`, `do`) removed.
 * Good enough to find package installs; not a shell.
 */
export function commandsOf(instr: Instruction): string[][] {
  const text = shellText(instr).replace(/\\\r?\n/g, ' ');
  return text
    .split(/\r?\n|&&|\|\||;|\|/)
    .map((cmd) => {
      const tokens = cmd.trim().split(/\s+/).filter(Boolean).map(unquote);
      const comment = tokens.findIndex((t) => t.startsWith('#'));
      const kept = comment >= 0 ? tokens.slice(0, comment) : tokens;
      // `then cargo chef cook …` inside an `if`, `do pip install …` inside a loop: the keyword is not the program.
      while (
        kept.length > 0 &&
        (/^[A-Za-z_][A-Za-z0-9_]*=/.test(kept[0] as string) || SHELL_PREFIX.has(kept[0] as string))
      ) {
        kept.shift();
      }
      return kept;
    })
    .filter((c) => c.length > 0);
}

/** `pip3.11`, `/opt/venv/bin/pip`, `python -m pip` -> `pip`; other programs by their base name. */
export function programOf(cmd: string[]): { program: string; rest: string[] } {
  const base = (t: string) => t.slice(t.lastIndexOf('/') + 1);
  let program = base(cmd[0] ?? '');
  let rest = cmd.slice(1);
  if (/^python[\d.]*$/.test(program) && rest[0] === '-m' && rest[1]) {
    program = base(rest[1]);
    rest = rest.slice(2);
  }
  if (/^pip[\d.]*$/.test(program)) program = 'pip';
  return { program, rest };
}

/** Instructions of the stage, with the stages it inherits from first. */
export function chainInstructions(df: DockerfileFacts, stage: Stage): Instruction[] {
  return stageChain(df, stage).flatMap((s) => s.instructions);
}

/** How a stage is named in evidence: `stage production` or `stage #1` (0-based index). */
export function stageLabel(stage: Stage): string {
  return stage.name ? `stage ${stage.name}` : `stage #${stage.index}`;
}

/** Evidence location of a line inside a stage: `Dockerfile:12 (stage production)`. */
export function atStage(
  df: DockerfileFacts,
  stage: Stage,
  line: number,
): Pick<Evidence, 'subject' | 'file' | 'line'> {
  return { subject: `${df.file}:${line} (${stageLabel(stage)})`, file: df.file, line };
}

/** The image a stage really starts from: its own FROM, or the root of its `FROM <stage>` chain. */
export function resolvedBase(df: DockerfileFacts, stage: Stage): Stage['baseImage'] {
  return (stageChain(df, stage)[0] as Stage).baseImage;
}

/** Stages another stage takes from: its FROM stage, `COPY --from=<stage>` and `RUN --mount=from=<stage>`. */
export function stageInputs(df: DockerfileFacts, stage: Stage): Stage[] {
  const refs: string[] = [];
  if (stage.baseImage.stage !== undefined) refs.push(stage.baseImage.stage);
  for (const i of stage.instructions) {
    if (i.keyword === 'COPY' || i.keyword === 'ADD') refs.push(...(i.flags.from ?? []));
    if (i.keyword === 'RUN') for (const m of mountsOf(i)) if (m.from !== undefined) refs.push(m.from);
  }
  const found = refs.flatMap((r) => stageNamed(df, r, stage.index) ?? []);
  return [...new Set(found)];
}

/** A stage with every stage it needs to be built, in Dockerfile order. */
export function stageClosure(df: DockerfileFacts, stages: Stage[]): Stage[] {
  const seen = new Set<number>();
  const visit = (s: Stage) => {
    if (seen.has(s.index)) return;
    seen.add(s.index);
    for (const input of stageInputs(df, s)) visit(input);
  };
  for (const s of stages) visit(s);
  return df.stages.filter((s) => seen.has(s.index));
}

/** A compose service that builds a Dockerfile, and the stage it asks for. */
export interface ComposeBuild {
  service: string;
  /** `build.target`, when given. */
  target?: string;
  /** Where the `build:` is declared. */
  file: string;
  line: number;
}

/**
 * `a/./b/../c` -> `a/c`, relative to the project dir; a path above it keeps its leading `..`
 * (`../backend/Dockerfile`: compose files often build a sibling directory). Undefined when the
 * path is absolute, a URL or interpolated.
 */
function normalisePath(p: string): string | undefined {
  if (p.startsWith('/') || /^[a-z]+:\/\//i.test(p) || p.includes('${')) return undefined;
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** The Dockerfile a compose `build:` names, relative to the project dir, when it can be told. */
export function composeDockerfilePath(build: NonNullable<ComposeService['build']>): string | undefined {
  const composeDir = build.file.includes('/') ? build.file.slice(0, build.file.lastIndexOf('/')) : '';
  if (build.context.startsWith('/')) return undefined;
  const context = normalisePath(composeDir ? `${composeDir}/${build.context}` : build.context);
  if (context === undefined) return undefined;
  const dockerfile = build.dockerfile ?? 'Dockerfile';
  if (dockerfile.startsWith('/')) return undefined;
  return normalisePath(context ? `${context}/${dockerfile}` : dockerfile);
}

/** The compose services that build each Dockerfile, by its path (as facts show Dockerfiles). */
export function composeBuilds(services: readonly ComposeService[]): Map<string, ComposeBuild[]> {
  const out = new Map<string, ComposeBuild[]>();
  for (const s of services) {
    if (!s.build) continue;
    const file = composeDockerfilePath(s.build);
    if (file === undefined) continue;
    const build: ComposeBuild = {
      service: s.name,
      ...(s.build.target !== undefined && { target: s.build.target }),
      file: s.build.file,
      line: s.build.line,
    };
    out.set(file, [...(out.get(file) ?? []), build]);
  }
  return out;
}

/** Compose builds of the readable compose targets, when the check was given compose. */
export function composeBuildsOf(input: CheckInput): Map<string, ComposeBuild[]> {
  if (!input.has('compose')) return new Map();
  return composeBuilds(input.source('compose').flatMap((t) => t.data?.services ?? []));
}

/** A stage that is judged as shipped, and why it is taken for shipped. */
export interface ShippedStage {
  stage: Stage;
  why: string;
}

/** The stage a `build.target` names (by name, case-insensitive), if any. */
export function targetStage(df: DockerfileFacts, target: string | undefined): Stage | undefined {
  if (target === undefined) return finalStage(df);
  const lower = target.toLowerCase();
  return df.stages.find((s) => s.name?.toLowerCase() === lower);
}

/**
 * The stages whose image ships. When compose services build this Dockerfile, the stages they
 * build (`build.target`, else the last stage). Otherwise every stage no other stage uses (not a
 * FROM base, not a `COPY --from` or `--mount from` source): a builder stage only feeds others.
 */
export function shippedStages(df: DockerfileFacts, builds: readonly ComposeBuild[] = []): ShippedStage[] {
  // A `build.target` that names no stage (a typo; `docker compose build` refuses it): say so.
  const missing = builds.filter((b) => !targetStage(df, b.target));
  const unknown =
    missing.length > 0
      ? `; compose asks for ${missing.map((b) => `target ${b.target} (service ${b.service}, ${b.file}:${b.line})`).join(', ')}, which no stage is named`
      : '';
  if (builds.length > 0) {
    const byStage = new Map<number, { stage: Stage; services: string[] }>();
    for (const b of builds) {
      const stage = targetStage(df, b.target);
      if (!stage) continue;
      const entry = byStage.get(stage.index) ?? { stage, services: [] };
      entry.services.push(b.target ? `${b.service} (target ${b.target})` : b.service);
      byStage.set(stage.index, entry);
    }
    if (byStage.size > 0) {
      return [...byStage.values()]
        .sort((a, b) => a.stage.index - b.stage.index)
        .map(({ stage, services }) => ({
          stage,
          why: `built by compose service ${services.join(', ')}${unknown}`,
        }));
    }
  }
  const last = finalStage(df);
  // Development and test targets (`dev`, `dev-envs`, `test`) do not ship, and a stage only they
  // build on is still a product: judge the stages no other product stage uses, and say so.
  const devTargets = df.stages.filter(isDevStage);
  const devNote =
    devTargets.length > 0
      ? `; ${devTargets.map(stageLabel).join(', ')} not judged (a development/test target, not shipped)`
      : '';
  const why = (stage: Stage) => {
    const devUsers = devTargets.filter((d) => stageInputs(df, d).includes(stage));
    const role =
      stage === last
        ? 'the last stage'
        : devUsers.length > 0
          ? `a stage only development/test targets build on (${devUsers.map(stageLabel).join(', ')})`
          : 'a stage no other stage builds on';
    return role + devNote + unknown;
  };
  const products = df.stages.filter((s) => !isDevStage(s));
  const usedByProducts = new Set(products.flatMap((s) => stageInputs(df, s).map((i) => i.index)));
  const shipped = products.filter((s) => !usedByProducts.has(s.index));
  if (shipped.length > 0) return shipped.map((stage) => ({ stage, why: why(stage) }));
  // Every stage is named for development: judge what each leaf is built FROM, else the leaf.
  const used = new Set(df.stages.flatMap((s) => stageInputs(df, s).map((i) => i.index)));
  const leaves = df.stages.filter((s) => !used.has(s.index));
  const bases = [...new Set(leaves.map((leaf) => stageChain(df, leaf).at(-2) ?? leaf))];
  return bases
    .sort((x, y) => x.index - y.index)
    .map((stage) => ({
      stage,
      why:
        stage === last
          ? why(stage)
          : `the stage the development targets build on (all stages are development targets, not judged themselves)${unknown}`,
    }));
}

/**
 * Stage names that say the stage is for development or tests: `dev`, `dev-envs`, `test`,
 * `app-dev`, `opencodelists-dev`. Whole words only: `devops` or `latest` are not.
 */
const DEV_WORD = '(dev|develop|development|debug|test|tests|testing|lint|ci|local)';
const DEV_STAGE = new RegExp(`^${DEV_WORD}([-_.].*)?$|[-_.]${DEV_WORD}$`, 'i');
export const isDevStage = (s: Stage): boolean => s.name !== undefined && DEV_STAGE.test(s.name);

/** Shipped stages of every readable Dockerfile the check was given, with compose targets applied. */
export function shippedOf(input: CheckInput): { df: DockerfileFacts; shipped: ShippedStage[] }[] {
  const builds = composeBuildsOf(input);
  return dockerfilesOf(input).map((df) => ({ df, shipped: shippedStages(df, builds.get(df.file)) }));
}
