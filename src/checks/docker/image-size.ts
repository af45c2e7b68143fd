import { z } from 'zod';
import type { DockerImage } from '../../collectors/docker/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { plural } from '../../facts/common.js';
import { dockerFactsOf, dockerImages, imageSubject, round1 } from '../../facts/docker.js';

/** MB as `docker images` prints them: 10^6 bytes. */
const MB = 1_000_000;

const options = z.object({
  /** The checklist's "final image < 500 MB", in MB as `docker images` shows them. */
  maxMegabytes: z.number().positive().default(500),
});

function largestLayer(image: DockerImage): string | undefined {
  const top = [...image.history].sort((a, b) => b.sizeBytes - a.sizeBytes)[0];
  if (!top || top.sizeBytes === 0) return undefined;
  const step = top.createdBy.replace(/^\/bin\/sh -c (#\(nop\)\s*)?/, '').trim() || '(base layer)';
  return `largest layer ${round1(top.sizeBytes / MB)} MB: ${step.length > 120 ? `${step.slice(0, 117)}...` : step}`;
}

function judge(image: DockerImage, maxMegabytes: number, where: string): Evidence {
  const base = { subject: imageSubject(image), expected: `< ${maxMegabytes}`, unit: 'MB' };
  if (image.missing) return { ...base, observed: null, status: 'warn', note: `not found ${where}` };
  if (image.error !== undefined || image.sizeBytes === null) {
    return {
      ...base,
      observed: null,
      status: 'warn',
      note: `could not be read: ${image.error ?? 'no size'}`,
    };
  }
  const mb = image.sizeBytes / MB;
  const notes = [`${plural(image.layers ?? 0, 'layer')}`, largestLayer(image)].filter(Boolean);
  return {
    ...base,
    observed: round1(mb),
    status: mb < maxMegabytes ? 'pass' : 'fail',
    note: notes.join('; '),
  };
}

export default defineCheck({
  id: 'docker/image-size',
  title: 'Images are under 500 MB',
  failureTitle: 'Images are over 500 MB',
  description:
    'Large images slow every pull, deploy, autoscale and rollback, and usually carry compilers, caches and ' +
    'test data the service never uses. The checklist asks for a final image under 500 MB (multi-stage build, ' +
    "a -slim base). This check reads the engine's own `Size` of each image (not the deprecated `VirtualSize`) " +
    'in MB as `docker images` prints them; from a `docker save` archive, the sum of its layer tars, which is ' +
    'a little larger. The largest layer in the history shows where the weight comes from. ' +
    'See https://docs.docker.com/build/building/multi-stage/ and https://docs.docker.com/build/building/best-practices/',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['docker'],
  options,
  run(input, o) {
    const facts = dockerFactsOf(input);
    const where = facts.some((f) => f.archive !== null) ? 'in the archive' : 'on the engine';
    const images = dockerImages(input);
    if (images.length === 0) {
      return { status: 'skip', message: `no images named and no containers running ${where}`, evidence: [] };
    }
    const evidence = images.map((i) => judge(i, o.maxMegabytes, where));
    const unread = images.filter((i) => i.missing || i.error !== undefined);
    if (unread.length === images.length) {
      return {
        status: 'skip',
        message: `${plural(unread.length, 'image')} not found ${where}: ${unread.map((i) => i.ref).join(', ')}`,
        evidence,
      };
    }
    const metrics = images.flatMap((i) =>
      i.missing || i.error !== undefined || i.sizeBytes === null
        ? []
        : [
            {
              name: 'image size',
              value: round1(i.sizeBytes / MB),
              unit: 'MB',
              better: 'lower' as const,
              subject: i.ref,
            },
          ],
    );
    const over = images.filter((_, i) => evidence[i]!.status === 'fail').map((i) => i.ref);
    const status = over.length > 0 ? 'fail' : unread.length > 0 ? 'warn' : 'pass';
    const parts: string[] = [];
    if (over.length > 0)
      parts.push(`${plural(over.length, 'image')} of ${o.maxMegabytes} MB or more: ${over.join(', ')}`);
    if (unread.length > 0)
      parts.push(`${plural(unread.length, 'image')} not read: ${unread.map((i) => i.ref).join(', ')}`);
    return {
      status,
      metrics,
      message:
        status === 'pass'
          ? `all ${plural(images.length, 'image')} under ${o.maxMegabytes} MB`
          : parts.join('; '),
      evidence,
      remediation:
        status === 'pass'
          ? undefined
          : {
              summary:
                'Shrink the image: build in one stage and copy only the artefacts into a -slim final stage; keep ' +
                'compilers, apt lists and pip caches out of it.',
              change: [
                'FROM python:3.12-slim AS build',
                'COPY requirements.txt .',
                'RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt',
                '',
                'FROM python:3.12-slim',
                'COPY --from=build /wheels /wheels',
                'RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels',
                'COPY app/ /app/',
              ].join('\n'),
              applies: 'rebuild',
            },
    };
  },
});
