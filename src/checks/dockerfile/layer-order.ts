import { z } from 'zod';
import {
  classifyCommand,
  ECOSYSTEMS,
  type Ecosystem,
  type EcosystemName,
  isDependencyArtefact,
  isManifestOrConfig,
  isSourceCode,
  isWorkspacePackage,
} from '../../collectors/dockerfile/ecosystems.js';
import type { DockerfileFacts, Instruction, Stage } from '../../collectors/dockerfile/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  atStage,
  commandsOf,
  copySources,
  mountsOf,
  programOf,
  shippedOf,
  stageChain,
  stageClosure,
  stageLabel,
  stageNamed,
} from '../../facts/dockerfile.js';

const options = z.object({
  /** Extra manifest paths (globs; without a `/` they match the file name at any depth). */
  manifests: z.array(z.string()).default([]),
  /** Files that may be copied before the install without counting as application source. */
  ignored: z
    .array(z.string())
    .default([
      'README*',
      'LICENSE*',
      '*.md',
      'Makefile',
      'Procfile',
      'VERSION',
      '.dockerignore',
      '.gitignore',
    ]),
});
type Options = z.output<typeof options>;

const isLocalCopy = (i: Instruction) =>
  (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.from && i.heredocs.length === 0;

/**
 * The first local source of a COPY/ADD that is application source, if any. `workspaces` (the Node
 * workspace package globs of the build context, for a Node install) are install inputs, not source.
 */
function sourceCopied(i: Instruction, o: Options, workspaces: readonly string[] = []): string | undefined {
  if (!isLocalCopy(i)) return undefined;
  return copySources(i)
    .filter((s) => !/^[a-z]+:\/\//i.test(s))
    .find(
      (s) =>
        !isManifestOrConfig(s, o.manifests) &&
        !isWorkspacePackage(s, workspaces) &&
        !isDependencyArtefact(s) &&
        !isManifestOrConfig(s, o.ignored) &&
        isSourceCode(s),
    );
}

interface Step {
  instr: Instruction;
  stage: Stage;
  command: string;
  kind: 'install' | 'build';
}

/** The first dependency install of an ecosystem in a stage, else its first build that fetches them. */
function firstStep(stage: Stage, eco: Ecosystem): Step | undefined {
  let build: Step | undefined;
  for (const instr of stage.instructions) {
    if (instr.keyword !== 'RUN') continue;
    for (const cmd of commandsOf(instr)) {
      const { program, rest } = programOf(cmd);
      const kind = classifyCommand(eco, program, rest);
      if (kind === 'install') return { instr, stage, command: cmd.join(' '), kind };
      if (kind === 'build' && !build) build = { instr, stage, command: cmd.join(' '), kind };
    }
  }
  return build;
}

/** A `COPY --from=<stage>` of an ecosystem's installed dependencies before `line`, in the chain. */
function depsFromStage(df: DockerfileFacts, chain: Stage[], eco: Ecosystem, line: number) {
  for (const s of chain) {
    for (const i of s.instructions) {
      if (s === chain.at(-1) && i.line >= line) break;
      if (i.keyword !== 'COPY' || !i.flags.from) continue;
      const from = (i.flags.from ?? [])[0] ?? '';
      if (copySources(i).some((p) => eco.installedDeps.test(p))) {
        const source = stageNamed(df, from, s.index);
        return { instr: i, from: source ? stageLabel(source) : from };
      }
    }
  }
  return undefined;
}

const hasCacheMount = (i: Instruction) => mountsOf(i).some((m) => m.type === 'cache');

/**
 * Whether an ecosystem's manifest can be in place when a build runs: copied or bind-mounted by name,
 * or inside something that may hold it (a directory, the whole context, another stage or image, a
 * download). Only single files that are none of its manifests rule it out: `COPY main.go .` then
 * `go build main.go` fetches no dependencies, so there is no install to order.
 */
function manifestMayBeThere(before: Instruction[], step: Instruction, eco: Ecosystem): boolean {
  const isFile = (s: string) => /\.[A-Za-z0-9]+$/.test(s) && !/[*?[]/.test(s);
  const mayHold = (s: string) => !isFile(s) || isManifestOrConfig(s, eco.manifests);
  return [...before, step].some((i) => {
    if (i.keyword === 'COPY' || i.keyword === 'ADD') {
      return i.flags.from !== undefined || i.heredocs.length > 0 || copySources(i).some(mayHold);
    }
    if (i.keyword !== 'RUN') return false;
    if (mountsOf(i).some((m) => m.type === 'bind' && mayHold(m.source ?? m.src ?? '.'))) return true;
    return commandsOf(i).some((c) => ['git', 'curl', 'wget'].includes(programOf(c).program));
  });
}

interface Judged {
  eco: EcosystemName;
  evidence: Evidence;
}

function judgeStage(df: DockerfileFacts, stage: Stage, o: Options, role: string): Judged[] {
  const out: Judged[] = [];
  const chain = stageChain(df, stage);
  const ancestors = chain.slice(0, -1);
  const expected = 'install after copying only the manifests, before the application source';
  for (const eco of ECOSYSTEMS) {
    const step = firstStep(stage, eco);
    // A stage built FROM one that already installed these dependencies was judged there.
    if (!step || ancestors.some((a) => firstStep(a, eco))) continue;
    const where = atStage(df, stage, step.instr.line);
    const note = `${eco.label}; ${role}`;
    const push = (evidence: Evidence) => out.push({ eco: eco.name, evidence });
    const copied = depsFromStage(df, chain, eco, step.instr.line);
    if (copied) {
      push({
        ...where,
        status: 'pass',
        observed: `dependencies copied from ${copied.from} (line ${copied.instr.line}) before \`${step.command}\``,
        expected,
        note,
      });
      continue;
    }
    const before = [
      ...ancestors.flatMap((a) => a.instructions),
      ...stage.instructions.filter((i) => i.line < step.instr.line),
    ];
    // A build with no manifest of its ecosystem in reach fetches nothing: not a dependency step.
    if (step.kind === 'build' && !manifestMayBeThere(before, step.instr, eco)) continue;
    const workspaces = eco.name === 'node' ? df.workspaces : [];
    const invalidating = before.find((i) => sourceCopied(i, o, workspaces) !== undefined);
    if (invalidating && step.kind === 'build' && hasCacheMount(step.instr)) {
      push({
        ...where,
        status: 'pass',
        observed: `\`${step.command}\` fetches dependencies into a cache mount (no separate download step)`,
        expected,
        note,
      });
      continue;
    }
    if (invalidating) {
      push({
        ...where,
        status: 'fail',
        observed: `\`${invalidating.keyword} ${invalidating.args}\` (line ${invalidating.line}) comes before \`${step.command}\``,
        expected,
        note,
      });
      continue;
    }
    const manifest = [...before, step.instr].find(
      (i) =>
        (isLocalCopy(i) && copySources(i).some((s) => isManifestOrConfig(s, o.manifests))) ||
        (i.keyword === 'RUN' &&
          mountsOf(i).some(
            (m) => (m.source ?? m.src) && isManifestOrConfig(m.source ?? m.src ?? '', o.manifests),
          )),
    );
    const packages = before.filter(
      (i) => isLocalCopy(i) && copySources(i).some((s) => isWorkspacePackage(s, workspaces)),
    );
    const how =
      (manifest ? `manifests at line ${manifest.line}` : 'no source copied before it') +
      (packages.length > 0
        ? `; workspace packages at line ${packages.map((i) => i.line).join(', ')} are install inputs`
        : '');
    push({
      ...where,
      status: 'pass',
      observed: `\`${step.command}\` before any source copy (${how})`,
      expected,
      note,
    });
  }
  return out;
}

const FIXES: Record<EcosystemName, string> = {
  node: 'COPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .',
  python: 'COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .',
  go: 'COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .',
  maven: 'COPY pom.xml ./\nRUN mvn -B dependency:go-offline\nCOPY src ./src',
  gradle:
    'COPY build.gradle settings.gradle gradlew ./\nCOPY gradle ./gradle\nRUN ./gradlew dependencies --no-daemon\nCOPY src ./src',
  cargo:
    'COPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo "fn main() {}" > src/main.rs && cargo build --release\nCOPY . .',
  bundler: 'COPY Gemfile Gemfile.lock ./\nRUN bundle install\nCOPY . .',
  composer:
    'COPY composer.json composer.lock ./\nRUN composer install --no-scripts --no-autoloader\nCOPY . .',
  mix: 'COPY mix.exs mix.lock ./\nCOPY config/config.exs config/prod.exs config/\nRUN mix deps.get --only prod\nCOPY . .',
};

export default defineCheck({
  id: 'dockerfile/layer-order',
  title: 'Dependencies are installed before the application source is copied',
  failureTitle: 'The application source is copied before dependencies are installed',
  description:
    'Docker reuses a cached layer only while every earlier layer is unchanged. Copying only the dependency ' +
    'manifests and installing them before `COPY . .` keeps the slow install cached across code changes ' +
    '(checklist 3.1: "put frequently changing code last"). Covers npm/yarn/pnpm/bun (package.json, ' +
    'lockfiles, .npmrc/.yarnrc), pip/uv/poetry/pipenv/pdm (requirements*.txt, requirements/*.txt, ' +
    'pyproject.toml, poetry.lock, uv.lock, Pipfile*), go mod (go.mod, go.sum), Maven (pom.xml, .mvn, mvnw), ' +
    'Gradle (build.gradle(.kts), settings.gradle, gradle.properties, the wrapper), bundler (Gemfile*), ' +
    'cargo (Cargo.toml, Cargo.lock; the dummy-main build counts as the install), composer ' +
    '(composer.json/lock) and mix (mix.exs, mix.lock, config/*.exs; `mix deps.get`). Manifests are matched by path, so `requirements/default.txt` is a manifest; a ' +
    'folder of wheels or `vendor/` is dependencies, not source; single config files (`nginx.conf`, `entrypoint.sh`) ' +
    'are not the source either. Fails when, in a stage or the stages it is built FROM, ' +
    'an application source copy comes before the first dependency install (bootstrapping a tool such as ' +
    '`pip install poetry` or `npm i -g pnpm` does not count); the evidence names the install and the COPY ' +
    'that invalidates it. A bind-mounted manifest (`RUN --mount=type=bind,source=...`) counts as copied; ' +
    'dependencies copied from another stage (`COPY --from=deps /app/node_modules`) were judged in that ' +
    'stage; where no separate download step exists, a build with a cache mount (`go build`, `cargo build`, ' +
    '`mvn package` with `--mount=type=cache`) passes. Judges the stages compose builds (`build.target`) and ' +
    'every stage they need, or, without compose, every stage the shipped stages need. Skips when no ' +
    'Dockerfile installs dependencies with one of these tools. Node workspace packages (the `workspaces` ' +
    'of the package.json, or the `packages` of pnpm-workspace.yaml, beside the Dockerfile) copied before ' +
    'a Node install count as manifests: the install links and builds them. ' +
    'https://docs.docker.com/build/cache/optimize/#order-your-layers',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['dockerfile'],
  optional: ['compose'],
  options,
  run(input, o) {
    const judged: Judged[] = [];
    for (const { df, shipped } of shippedOf(input)) {
      for (const stage of stageClosure(
        df,
        shipped.map((s) => s.stage),
      )) {
        const own = shipped.find((s) => s.stage === stage);
        const users = shipped.filter((s) => stageClosure(df, [s.stage]).includes(stage));
        const role = own ? own.why : `builds ${users.map((s) => stageLabel(s.stage)).join(', ')}`;
        judged.push(...judgeStage(df, stage, o, role));
      }
    }
    const evidence = judged.map((j) => j.evidence);
    if (evidence.length === 0) {
      return {
        status: 'skip',
        message:
          'no Dockerfile installs dependencies with npm/yarn/pnpm/bun, pip/uv/poetry, go, maven, gradle, bundler, cargo, composer or mix',
        evidence,
      };
    }
    const failed = judged.filter((j) => j.evidence.status === 'fail');
    if (failed.length === 0) {
      return { status: 'pass', message: 'dependencies are installed before the source is copied', evidence };
    }
    const ecosystems = [...new Set(failed.map((j) => j.eco))];
    return {
      status: 'fail',
      message: failed.map((j) => `${j.evidence.subject}: ${j.evidence.observed}`).join('; '),
      evidence,
      remediation: {
        summary:
          'Copy only the dependency manifests and install them first; copy the application source after.',
        change: ecosystems.map((e) => FIXES[e]).join('\n\n'),
        applies: 'rebuild',
      },
    };
  },
});
