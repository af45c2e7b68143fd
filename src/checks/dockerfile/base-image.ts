import { z } from 'zod';
import type { DockerfileFacts, Stage } from '../../collectors/dockerfile/schema.js';
import { at, dockerfilesOf, finalStage, stageChain } from '../../collectors/dockerfile/views.js';
import { defineCheck, type Evidence } from '../../core/check.js';

const options = z.object({
  /** Tag variants that count as slim: `3.12-slim`, `3.12-slim-bookworm`, `bookworm-slim`. */
  slimVariants: z.array(z.string()).default(['slim']),
  /** What an Alpine (musl) final base gets: smaller, but most wheels must be built from source. */
  alpine: z.enum(['pass', 'warn', 'fail']).default('warn'),
  /** Repository prefixes of minimal images accepted without a `-slim` tag. */
  minimalRepositories: z.array(z.string()).default(['scratch', 'gcr.io/distroless/', 'cgr.dev/chainguard/']),
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

const isPython = (repo: string) => repo.split('/').at(-1) === 'python';

function versionOf(tag: string): number[] | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(tag);
  return m ? [Number(m[1]), ...(m[2] !== undefined ? [Number(m[2])] : [])] : undefined;
}

function problems(stage: Stage, o: Options): { verdict: Verdict; why: string }[] {
  const { repository, tag, digest, unresolvedArgs } = stage.baseImage;
  if (unresolvedArgs.length > 0) {
    return [{ verdict: 'warn', why: `cannot judge: build args ${unresolvedArgs.join(', ')} have no value` }];
  }
  if (repository === 'scratch') return [];
  const out: { verdict: Verdict; why: string }[] = [];
  const variants = (tag ?? '').toLowerCase().split('-');
  const minimal = o.minimalRepositories.some((p) => repository.startsWith(p));
  if (variants.some((v) => v.startsWith('alpine'))) {
    if (o.alpine !== 'pass')
      out.push({ verdict: o.alpine, why: 'Alpine (musl): wheels often build from source' });
  } else if (!minimal && !variants.some((v) => o.slimVariants.includes(v))) {
    out.push({ verdict: 'fail', why: 'not a slim variant' });
  }
  if (!digest && (tag === undefined || o.floatingTags.includes(tag.toLowerCase()))) {
    out.push({ verdict: 'fail', why: tag ? `floating tag "${tag}"` : 'no tag (means latest)' });
  }
  if (isPython(repository) && tag !== undefined) {
    const v = versionOf(tag);
    const [minMajor, minMinor] = o.minPythonVersion.split('.').map(Number) as [number, number];
    if (v?.length === 2) {
      const [major, minor] = v as [number, number];
      if (major < minMajor || (major === minMajor && minor < minMinor)) {
        out.push({ verdict: 'fail', why: `Python ${major}.${minor} is older than ${o.minPythonVersion}` });
      }
    } else if (v && !digest) out.push({ verdict: 'warn', why: `"${tag}" does not pin a minor version` });
  }
  if (!digest) out.push({ verdict: o.requireDigest ? 'fail' : 'warn', why: 'no @sha256 digest' });
  return out;
}

function judge(df: DockerfileFacts, o: Options): Evidence {
  // Follow `FROM <stage>` back to the image the final stage really starts from.
  const root = stageChain(df, finalStage(df))[0] as Stage;
  const found = problems(root, o);
  const status = worst(found.map((p) => p.verdict));
  const minor = o.minPythonVersion;
  return {
    ...at(df, root.line),
    status,
    observed: root.baseImage.resolved,
    expected: `python:${minor}-slim or newer -slim, a version tag, @sha256 digest`,
    ...(found.length > 0 && { note: found.map((p) => p.why).join('; ') }),
  };
}

export default defineCheck({
  id: 'dockerfile/base-image',
  title: 'Final images start from a pinned slim base',
  failureTitle: 'Final images start from a full, old or unpinned base',
  description:
    'The final stage should start from a slim, version-pinned base (checklist 3.1: `python:3.11-slim`, ' +
    '"65MB vs 300MB for standard"; on current tags the slim image is about 130 MB and the full Debian ' +
    'one about 1 GB unpacked, so the saving is larger than the checklist says). ' +
    'Fails on a non-slim variant, on `latest` or no tag, and on Python older than 3.11; `-slim-bookworm` ' +
    'and other `-slim-<distro>` tags are slim, and scratch, distroless and Chainguard images count as ' +
    'minimal. Alpine is a warning, not a pass: it is smaller, but musl means many wheels are built from ' +
    'source, which is slower to build and can be slower to run. Without an `@sha256:` digest the tag can ' +
    'move under you, so a missing digest warns (fails with `requireDigest`). A `FROM <stage>` final ' +
    'stage is judged by the image its chain starts from. ' +
    'https://docs.docker.com/build/building/best-practices/#from',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['dockerfile'],
  options,
  run(input, o) {
    const evidence = dockerfilesOf(input).map((df) => judge(df, o));
    const status = worst(evidence.map((e) => e.status as Verdict));
    const bad = evidence.filter((e) => e.status !== 'pass');
    if (status === 'pass') {
      return { status, message: `${evidence.length} final base image(s) are slim and pinned`, evidence };
    }
    return {
      status,
      message: bad.map((e) => `${e.subject} ${e.observed}: ${e.note}`).join('; '),
      evidence,
      remediation: {
        summary: 'Start the final stage from a slim, version-pinned Python image, pinned by digest.',
        change: `FROM python:${o.minPythonVersion}-slim-bookworm@sha256:<digest>\n# the digest: docker buildx imagetools inspect python:${o.minPythonVersion}-slim-bookworm`,
        applies: 'rebuild',
      },
    };
  },
});
