import { z } from 'zod';
import type { DockerfileFacts } from '../../collectors/dockerfile/schema.js';
import { at, dockerfilesOf, finalStage, mountsOf, stageNamed } from '../../collectors/dockerfile/views.js';
import { defineCheck, type Evidence } from '../../core/check.js';

const EXAMPLE = `FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY . .`;

/** Lines of the final stage that take artefacts from an earlier stage. */
function artefactLines(df: DockerfileFacts): number[] {
  const last = finalStage(df);
  return last.instructions
    .filter((i) => {
      const copied = i.keyword === 'COPY' && (i.flags.from ?? []).some((f) => stageNamed(df, f, last.index));
      const mounted =
        i.keyword === 'RUN' &&
        mountsOf(i).some((m) => m.from !== undefined && stageNamed(df, m.from, last.index));
      return copied || mounted;
    })
    .map((i) => i.line);
}

function judge(df: DockerfileFacts): Evidence {
  const last = finalStage(df);
  const where = at(df, last.line);
  if (df.stages.length < 2) {
    return { ...where, status: 'fail', observed: '1 stage', expected: 'a build stage and a final stage' };
  }
  const lines = artefactLines(df);
  if (lines.length === 0) {
    return {
      ...where,
      status: 'fail',
      observed: `${df.stages.length} stages; the final stage copies nothing from a build stage`,
      expected: 'COPY --from=<build stage> in the final stage',
    };
  }
  return {
    ...where,
    status: 'pass',
    observed: `${df.stages.length} stages; artefacts from a build stage at line ${lines.join(', ')}`,
    expected: 'COPY --from=<build stage> in the final stage',
  };
}

export default defineCheck({
  id: 'dockerfile/multi-stage',
  title: 'Dockerfiles use a multi-stage build',
  failureTitle: 'Dockerfiles build and ship from a single stage',
  description:
    'A multi-stage build compiles and installs in a build stage and copies only the results into a clean ' +
    'final stage, so compilers, headers, caches and source archives never reach the shipped image ' +
    '(checklist 3.1: "use multi-stage builds to reduce image size"; the final image should stay under ' +
    '500 MB). Passes when a Dockerfile has more than one stage and its final stage takes artefacts from ' +
    'an earlier stage with `COPY --from=<stage>` or a `RUN --mount=...,from=<stage>` bind mount; ' +
    '`--from` an external image does not count. https://docs.docker.com/build/building/multi-stage/',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['dockerfile'],
  options: z.object({}),
  run(input) {
    const evidence = dockerfilesOf(input).map(judge);
    const failed = evidence.filter((e) => e.status === 'fail');
    if (failed.length === 0) {
      return {
        status: 'pass',
        message: `${evidence.length} Dockerfile(s) use a multi-stage build`,
        evidence,
      };
    }
    return {
      status: 'fail',
      message: `${failed.length} of ${evidence.length} Dockerfile(s) ship without a separate build stage`,
      evidence,
      remediation: {
        summary:
          'Build in a first stage and copy only the installed packages or wheels into a slim final stage.',
        change: EXAMPLE,
        applies: 'rebuild',
      },
    };
  },
});
