import { z } from 'zod';
import type { DockerfileFacts, Stage } from '../../collectors/dockerfile/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  atStage,
  chainInstructions,
  commandsOf,
  programOf,
  resolvedBase,
  type ShippedStage,
  shippedOf,
  stageChain,
} from '../../facts/dockerfile.js';

const options = z.object({
  /** Tag variants that count as slim: `3.12-slim`, `3.12-slim-bookworm`, `bookworm-slim`. */
  slimVariants: z.array(z.string()).default(['slim']),
  /**
   * Official (Docker library) images that publish a `-slim` variant: only their full variants fail.
   * Other images (nginx, postgres, eclipse-temurin...) have no slim tag to ask for.
   */
  slimRepositories: z
    .array(z.string())
    .default(['python', 'pypy', 'node', 'debian', 'ruby', 'rust', 'perl', 'openjdk']),
  /** What an Alpine (musl) base of a stage that runs Python gets: most wheels must build from source. */
  alpine: z.enum(['pass', 'warn', 'fail']).default('warn'),
  /** Repository prefixes of minimal images accepted without a `-slim` tag. */
  minimalRepositories: z.array(z.string()).default(['scratch', 'gcr.io/distroless/', 'cgr.dev/chainguard/']),
  /** Official build toolchain images: a shipped stage on one of them carries the compiler. */
  toolchainRepositories: z.array(z.string()).default(['golang', 'maven', 'gradle', 'rust']),
  /** Oldest Python accepted on `python` images (checklist: python:3.11-slim). */
  minPythonVersion: z
    .string()
    .regex(/^\d+\.\d+$/)
    .default('3.11'),
  /** Tags that move: never a pin. */
  floatingTags: z.array(z.string()).default(['latest', 'slim', 'alpine', 'stable', 'edge', 'current', 'lts']),
  /** Without a digest: `false` warns, `true` fails. */
  requireDigest: z.boolean().default(false),
});
type Options = z.output<typeof options>;

type Verdict = 'pass' | 'warn' | 'fail';
const worst = (vs: Verdict[]): Verdict =>
  vs.includes('fail') ? 'fail' : vs.includes('warn') ? 'warn' : 'pass';

const lastSegment = (repo: string) => repo.split('/').at(-1) ?? repo;
/** `python`, `docker.io/library/python` -> `python`; undefined for images outside Docker's library. */
function officialName(repo: string): string | undefined {
  const name = repo
    .replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '')
    .replace(/^library\//, '');
  return name.includes('/') ? undefined : name;
}
const isPythonImage = (repo: string) =>
  /^(python|pypy)\d*$/.test(lastSegment(repo)) || /python3?$/.test(repo);

function versionOf(tag: string): number[] | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(tag);
  return m ? [Number(m[1]), ...(m[2] !== undefined ? [Number(m[2])] : [])] : undefined;
}

/** OS packages that are a Python interpreter or pip. */
const PYTHON_PACKAGE = /^(python3?(\.\d+)?(-(minimal|pip|dev|venv))?|py3-pip|python3?-pip)$/;
/** Programs that mean the stage runs Python. */
const PYTHON_PROGRAM = /^(python[\d.]*|pip|uv|poetry|pipenv|pdm|uvicorn|gunicorn|hypercorn|granian|fastapi)$/;

/**
 * Whether a stage runs Python: a Python base image, an OS package install of Python or pip, or a
 * RUN / CMD / ENTRYPOINT that calls Python tooling, in the stage or a stage it is built FROM.
 */
export function runsPython(df: DockerfileFacts, stage: Stage): boolean {
  if (isPythonImage(resolvedBase(df, stage).repository)) return true;
  for (const i of chainInstructions(df, stage)) {
    if (!['RUN', 'CMD', 'ENTRYPOINT'].includes(i.keyword)) continue;
    for (const cmd of commandsOf(i)) {
      const { program, rest } = programOf(cmd);
      if (PYTHON_PROGRAM.test(program)) return true;
      const installer = ['apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf'].includes(program);
      if (installer && rest.some((t) => PYTHON_PACKAGE.test(t.split(/[=<>~]/)[0] ?? ''))) return true;
    }
  }
  return false;
}

interface Finding {
  verdict: Verdict;
  why: string;
}

function problems(df: DockerfileFacts, stage: Stage, o: Options): Finding[] {
  const { repository, tag, digest, unresolvedArgs } = resolvedBase(df, stage);
  if (unresolvedArgs.length > 0) {
    return [{ verdict: 'warn', why: `cannot judge: build args ${unresolvedArgs.join(', ')} have no value` }];
  }
  if (repository === 'scratch') return [];
  const out: Finding[] = [];
  const segment = lastSegment(repository);
  // The slim, toolchain and version rules are about Docker's official images; `org/python` or
  // `public.ecr.aws/lambda/python` publish other tags.
  const official = officialName(repository);
  const variants = (tag ?? '').toLowerCase().split('-');
  const minimal = o.minimalRepositories.some((p) => repository.startsWith(p));
  const python = runsPython(df, stage);
  if (segment === 'alpine' || variants.some((v) => v.startsWith('alpine'))) {
    // musl only hurts where Python wheels are installed; nginx or a static binary on Alpine is fine.
    if (python && o.alpine !== 'pass') {
      out.push({
        verdict: o.alpine,
        why: 'Alpine (musl) for a Python stage: wheels often build from source',
      });
    }
  } else if (
    !minimal &&
    official !== undefined &&
    o.slimRepositories.includes(official) &&
    !variants.some((v) => o.slimVariants.includes(v))
  ) {
    out.push({ verdict: 'fail', why: `not a slim variant (${segment} publishes -slim tags)` });
  }
  if (official !== undefined && o.toolchainRepositories.includes(official)) {
    out.push({
      verdict: 'warn',
      why: `${segment} is a build toolchain: build in a stage and copy the result into a runtime image`,
    });
  }
  if (!digest && (tag === undefined || o.floatingTags.includes(tag.toLowerCase()))) {
    out.push({ verdict: 'fail', why: tag ? `floating tag "${tag}"` : 'no tag (means latest)' });
  }
  const [minMajor, minMinor] = o.minPythonVersion.split('.').map(Number) as [number, number];
  const tooOld = (major: number, minor: number) =>
    major < minMajor || (major === minMajor && minor < minMinor);
  if ((official === 'python' || segment === 'python') && tag !== undefined) {
    const v = versionOf(tag);
    if (v?.length === 2) {
      const [major, minor] = v as [number, number];
      if (tooOld(major, minor)) {
        out.push({ verdict: 'fail', why: `Python ${major}.${minor} is older than ${o.minPythonVersion}` });
      }
    } else if (v && !digest) out.push({ verdict: 'warn', why: `"${tag}" does not pin a minor version` });
  } else if (tag !== undefined) {
    // A derived image names its Python in the tag: `tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim`.
    const m = /(?:^|[-_])python-?(\d)\.(\d+)(?=$|[-_.])/i.exec(tag);
    if (m && tooOld(Number(m[1]), Number(m[2]))) {
      out.push({
        verdict: 'fail',
        why: `Python ${m[1]}.${m[2]} (from the tag) is older than ${o.minPythonVersion}`,
      });
    }
  }
  if (!digest) out.push({ verdict: o.requireDigest ? 'fail' : 'warn', why: 'no @sha256 digest' });
  return out;
}

/** What the stage should start from, worded for what it runs. */
function expectedFor(df: DockerfileFacts, stage: Stage, o: Options): string {
  const official = officialName(resolvedBase(df, stage).repository);
  if (official === 'python')
    return `python:${o.minPythonVersion}-slim or newer -slim, a version tag, @sha256 digest`;
  if (official && o.slimRepositories.includes(official))
    return `${official}:<version>-slim, a version tag, @sha256 digest`;
  return 'a version tag and an @sha256 digest';
}

function judge(df: DockerfileFacts, { stage, why }: ShippedStage, o: Options): Evidence {
  // A `FROM <stage>` stage is judged by the image its chain starts from; the evidence points there.
  const root = stageChain(df, stage)[0] as Stage;
  const found = problems(df, stage, o);
  const status = worst(found.map((p) => p.verdict));
  const via = root === stage ? '' : ` (via FROM ${stage.baseImage.raw} at line ${stage.line})`;
  return {
    ...atStage(df, stage, root.line),
    status,
    observed: `${root.baseImage.resolved}${via}`,
    expected: expectedFor(df, stage, o),
    note: [why, ...found.map((p) => p.why)].join('; '),
  };
}

const FIX_PYTHON = (minor: string) =>
  `FROM python:${minor}-slim-bookworm@sha256:<digest>\n# the digest: docker buildx imagetools inspect python:${minor}-slim-bookworm`;

export default defineCheck({
  id: 'dockerfile/base-image',
  title: 'Shipped images start from a pinned slim base',
  failureTitle: 'Shipped images start from a full, old or unpinned base',
  description:
    'Each shipped stage should start from a slim, version-pinned base (checklist 3.1: `python:3.11-slim`, ' +
    '"65MB vs 300MB for standard"; on current tags the slim image is about 130 MB and the full Debian ' +
    'one about 1 GB unpacked, so the saving is larger than the checklist says). The shipped stages are ' +
    'those compose builds (`build.target`, else the last stage), or, without compose, every stage no ' +
    'other stage builds on; a `FROM <stage>` stage is judged by the image its chain starts from. ' +
    'The advice fits what the stage runs: a full variant fails only for images that publish `-slim` tags ' +
    '(python, node, debian, ruby, rust, perl, openjdk; `-slim-bookworm` counts as slim); scratch, ' +
    'distroless and Chainguard are minimal; nginx, postgres, JRE or other images are not asked for a slim ' +
    'tag they do not have. Alpine warns only for a stage that runs Python (a python image, a python/pip ' +
    'package, or Python tooling in RUN/CMD): musl means many wheels build from source, slower to build ' +
    'and sometimes to run; Alpine under nginx or a static binary is fine. Python older than 3.11 fails ' +
    'on python images. A build toolchain (golang, maven, gradle, rust) in a shipped stage warns. ' +
    '`latest` or no tag fails; without an `@sha256:` digest the tag can move under you, so a missing ' +
    'digest warns (fails with `requireDigest`). ' +
    'https://docs.docker.com/build/building/best-practices/#from',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['dockerfile'],
  optional: ['compose'],
  options,
  run(input, o) {
    const judged = shippedOf(input).flatMap(({ df, shipped }) =>
      shipped.map((s) => ({ df, stage: s.stage, evidence: judge(df, s, o) })),
    );
    const evidence = judged.map((j) => j.evidence);
    const status = worst(evidence.map((e) => e.status as Verdict));
    const bad = judged.filter((j) => j.evidence.status !== 'pass');
    if (status === 'pass') {
      return { status, message: `${evidence.length} shipped base image(s) are slim and pinned`, evidence };
    }
    const python = bad.some((j) => runsPython(j.df, j.stage));
    const change = bad
      .map((j) => {
        const { repository } = resolvedBase(j.df, j.stage);
        const official = officialName(repository);
        if (runsPython(j.df, j.stage)) return FIX_PYTHON(o.minPythonVersion);
        const slim = official !== undefined && o.slimRepositories.includes(official);
        return `# ${j.evidence.subject}\nFROM ${repository}:<version>${slim ? '-slim' : ''}@sha256:<digest>`;
      })
      .filter((c, k, all) => all.indexOf(c) === k)
      .join('\n\n');
    return {
      status,
      message: bad.map((j) => `${j.evidence.subject} ${j.evidence.observed}: ${j.evidence.note}`).join('; '),
      evidence,
      remediation: {
        summary: python
          ? 'Start each shipped stage from a slim, version-tagged image pinned by digest (Python: -slim, not Alpine).'
          : 'Start each shipped stage from a version-tagged image pinned by digest (-slim where one exists).',
        change,
        applies: 'rebuild',
      },
    };
  },
});
