import { z } from 'zod';
import type { DockerfileFacts, Stage } from '../../collectors/dockerfile/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { atStage, mountsOf, type ShippedStage, stageChain, stageNamed } from '../../facts/dockerfile.js';
import { buildOnlyItem, onlyBuildOnly, shippedImagesOf } from '../../facts/build-only.js';

const EXAMPLE = `FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY . .`;

/** Lines of a shipped stage (or a stage it is built FROM) that take artefacts from another stage. */
function artefactLines(df: DockerfileFacts, shipped: Stage): number[] {
  return stageChain(df, shipped)
    .flatMap((stage) =>
      stage.instructions.filter((i) => {
        const copied =
          i.keyword === 'COPY' && (i.flags.from ?? []).some((f) => stageNamed(df, f, stage.index));
        const mounted =
          i.keyword === 'RUN' &&
          mountsOf(i).some((m) => m.from !== undefined && stageNamed(df, m.from, stage.index));
        return copied || mounted;
      }),
    )
    .map((i) => i.line);
}

function judge(df: DockerfileFacts, { stage, why }: ShippedStage): Evidence {
  const where = atStage(df, stage, stage.line);
  const expected = 'COPY --from=<build stage> in the shipped stage';
  if (df.stages.length < 2) {
    return {
      ...where,
      status: 'fail',
      observed: '1 stage',
      expected: 'a build stage and a final stage',
      note: why,
    };
  }
  const lines = artefactLines(df, stage);
  if (lines.length === 0) {
    return {
      ...where,
      status: 'fail',
      observed: `${df.stages.length} stages; this stage copies nothing from a build stage`,
      expected,
      note: why,
    };
  }
  return {
    ...where,
    status: 'pass',
    observed: `${df.stages.length} stages; artefacts from a build stage at line ${lines.join(', ')}`,
    expected,
    note: why,
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
    '500 MB). Judges every shipped stage: the stage each compose service builds (`build.target`, else the ' +
    'last stage), or, when no compose service builds the Dockerfile, every stage no other stage builds on. ' +
    'Passes when such a stage (or a stage it is built FROM) takes artefacts from another stage with ' +
    '`COPY --from=<stage>` or a `RUN --mount=...,from=<stage>` bind mount; `--from` an external image does ' +
    'not count. ' +
    'A Dockerfile that only build-only compose services build (`build:` with a tag and nothing else, no CMD or ' +
    'ENTRYPOINT: a base image other builds start from) is listed, not judged: it is not a shipped app image. ' +
    'https://docs.docker.com/build/building/multi-stage/',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['dockerfile'],
  optional: ['compose'],
  options: z.object({}),
  run(input) {
    // A Dockerfile only build-only services build is a base for other builds: listed, not judged.
    const evidence = shippedImagesOf(input).flatMap(({ df, shipped, buildOnly }) =>
      buildOnly ? [buildOnlyItem(df, buildOnly)] : shipped.map((s) => judge(df, s)),
    );
    const judged = evidence.filter((e) => e.status !== 'info');
    if (judged.length === 0 && evidence.length > 0) return onlyBuildOnly(evidence);
    const failed = evidence.filter((e) => e.status === 'fail');
    if (failed.length === 0) {
      return {
        status: 'pass',
        message: `${judged.length} shipped stage(s) use a multi-stage build`,
        evidence,
      };
    }
    return {
      status: 'fail',
      message: `${failed.length} of ${judged.length} shipped stage(s) ship without a separate build stage: ${failed.map((e) => e.subject).join(', ')}`,
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
