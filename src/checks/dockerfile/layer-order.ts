import { z } from 'zod';
import type { DockerfileFacts, Instruction, Stage } from '../../collectors/dockerfile/schema.js';
import {
  at,
  commandsOf,
  copySources,
  dockerfilesOf,
  mountsOf,
  programOf,
  stageChain,
} from '../../collectors/dockerfile/views.js';
import { defineCheck, type Evidence } from '../../core/check.js';

const options = z.object({
  /** Dependency manifests: copying these before the install is the point. */
  manifests: z
    .array(z.string())
    .default([
      'requirements*',
      'constraints*.txt',
      'pyproject.toml',
      'poetry.lock',
      'uv.lock',
      'Pipfile',
      'Pipfile.lock',
      'pdm.lock',
      'setup.py',
      'setup.cfg',
    ]),
  /** Files that may be copied before the install without counting as application source. */
  ignored: z.array(z.string()).default(['README*', 'LICENSE*', '*.md', '.python-version']),
});
type Options = z.output<typeof options>;

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
const baseName = (p: string) => p.replace(/\/+$/, '').split('/').at(-1) ?? p;
const matches = (patterns: string[], p: string) => patterns.some((g) => glob(g).test(baseName(p)));

/** Installers of the project's dependencies; bootstrapping the tools themselves does not count. */
const TOOLS = new Set(['pip', 'setuptools', 'wheel', 'uv', 'poetry', 'pipenv', 'pdm', 'virtualenv']);
function isDependencyInstall(cmd: string[]): boolean {
  const { program, rest } = programOf(cmd);
  const [sub, sub2] = rest;
  if (program === 'pip' && (sub === 'install' || sub === 'wheel' || sub === 'download')) {
    const named = rest.slice(1).filter((t) => !t.startsWith('-'));
    const fromFile = rest.some((t) => /^(-r|-c|-e|--requirement|--constraint|--editable)(=|$)/.test(t));
    return fromFile || named.some((t) => !TOOLS.has(t.split(/[<>=!~[]/)[0]?.toLowerCase() ?? ''));
  }
  if (program === 'uv') return sub === 'sync' || (sub === 'pip' && (sub2 === 'install' || sub2 === 'sync'));
  if (program === 'poetry' || program === 'pdm') return sub === 'install' || sub === 'sync';
  if (program === 'pipenv') return sub === 'install' || sub === 'sync';
  return false;
}

const installs = (i: Instruction) => i.keyword === 'RUN' && commandsOf(i).some(isDependencyInstall);
const localSources = (i: Instruction) =>
  (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.from
    ? copySources(i).filter((s) => !/^[a-z]+:\/\//i.test(s))
    : [];
const copiesSource = (i: Instruction, o: Options) =>
  localSources(i).some((s) => !matches(o.manifests, s) && !matches(o.ignored, s));
const bringsManifest = (i: Instruction, o: Options) =>
  localSources(i).some((s) => matches(o.manifests, s)) ||
  (i.keyword === 'RUN' &&
    mountsOf(i).some((m) => (m.source ?? m.src) && matches(o.manifests, m.source ?? m.src ?? '')));

/**
 * One evidence row per stage whose first dependency install is its chain's first: a stage built
 * FROM a stage that already installed them was judged there (a later `pip install --no-deps .`
 * after `COPY . .` is the right pattern).
 */
function judgeStage(df: DockerfileFacts, stage: Stage, o: Options): Evidence | undefined {
  const install = stage.instructions.find(installs);
  const inherited = stageChain(df, stage)
    .slice(0, -1)
    .flatMap((s) => s.instructions);
  if (!install || inherited.some(installs)) return undefined;
  const before = [...inherited, ...stage.instructions.filter((i) => i.line < install.line)];
  const source = before.find((i) => copiesSource(i, o));
  const manifest = [...before, install].find((i) => bringsManifest(i, o));
  const expected = 'manifest copied and installed before the application source is copied';
  if (source) {
    return {
      ...at(df, install.line),
      status: 'fail',
      observed: `\`${source.keyword} ${source.args}\` (line ${source.line}) comes before the install`,
      expected,
    };
  }
  const how = manifest ? `manifest at line ${manifest.line}` : 'packages named inline';
  return {
    ...at(df, install.line),
    status: 'pass',
    observed: `install before any source copy (${how})`,
    expected,
  };
}

export default defineCheck({
  id: 'dockerfile/layer-order',
  title: 'Dependencies are installed before the application source is copied',
  failureTitle: 'The application source is copied before dependencies are installed',
  description:
    'Docker reuses a cached layer only while every earlier layer is unchanged. Copying the dependency ' +
    'manifest (requirements*.txt, pyproject.toml, poetry.lock, uv.lock, Pipfile*) and installing it ' +
    'before `COPY . .` keeps the slow install cached across code changes (checklist 3.1: "put frequently ' +
    'changing code last"). Fails when, in a stage or the stages it is built from, an application source ' +
    'copy comes before the first dependency install (pip/uv/poetry/pipenv/pdm; bootstrapping pip itself ' +
    'does not count). A bind-mounted manifest (`RUN --mount=type=bind,source=requirements.txt`) counts ' +
    'as copied. Skips when no Dockerfile installs Python dependencies. ' +
    'https://docs.docker.com/build/cache/optimize/#order-your-layers',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['dockerfile'],
  options,
  run(input, o) {
    const evidence = dockerfilesOf(input).flatMap((df) =>
      df.stages.flatMap((s) => judgeStage(df, s, o) ?? []),
    );
    if (evidence.length === 0) {
      return { status: 'skip', message: 'no Dockerfile installs Python dependencies', evidence };
    }
    const failed = evidence.filter((e) => e.status === 'fail');
    if (failed.length === 0) {
      return { status: 'pass', message: 'dependencies are installed before the source is copied', evidence };
    }
    return {
      status: 'fail',
      message: failed.map((e) => `${e.subject}: ${e.observed}`).join('; '),
      evidence,
      remediation: {
        summary: 'Copy the dependency manifest and install it first; copy the application source after.',
        change: 'COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .',
        applies: 'rebuild',
      },
    };
  },
});
