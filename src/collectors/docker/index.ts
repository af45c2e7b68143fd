import { isAbsolute, resolve } from 'node:path';
import type { TargetFacts } from '../../core/facts.js';
import { byText } from '../../core/order.js';
import { redactUrl } from '../../core/redact-url.js';
import {
  type CollectContext,
  type LiveCollector,
  sourceDeadlineMs,
  type TargetSpec,
  withDeadline,
} from '../types.js';
import { readArchiveImages } from './archive.js';
import {
  classifyError,
  DEFAULT_DOCKER_HOST,
  dockerOptions,
  type ReadOnlyDocker,
  readOnlyDocker,
  TargetError,
} from './connect.js';
import {
  answersOneShotAtOnce,
  containerOf,
  engineOf,
  listContainers,
  mapLimit,
  missingImage,
  readImage,
  readStats,
  type StatsPlan,
  type StatsSample,
} from './engine.js';
import {
  type DockerContainer,
  type DockerFacts,
  DockerFactsSchema,
  type DockerTargetOptions,
  DockerTargetOptionsSchema,
} from './schema.js';

export { dockerOptions, readOnlyDocker } from './connect.js';
export type { DockerFacts } from './schema.js';

/** Inspects (containers and images) in flight at once, per target: quick answers over a kept-alive pool. */
const PARALLEL = 16;

/**
 * Stats requests in flight at once, per target. The engine samples every container once a second,
 * one after the other, and answers a `stream=false` request at its second sample after it: requests
 * sent together are answered together, so with all of a fleet's in flight the wait is one sampling
 * round (about 1 s + 3 ms per container here), not one per container. (Engines that sample a
 * one-shot request at once get two of them a second apart instead: the same one-second window.)
 * Each holds a connection (a file descriptor) while it waits; 512 stays well under the common
 * limit of 1,024 per process.
 */
export const STATS_PARALLEL = 512;

/**
 * The longest a stats request may wait without a byte: the idle timeout plus two sampling rounds of
 * `running` containers (a round: 1 s, plus the engine's time to sample each, up to 10 ms under load).
 */
export const statsWaitMs = (idleMs: number, running: number): number => idleMs + 2 * (1000 + 10 * running);

function failed(target: string, err: unknown, where: string, started: number): TargetFacts<DockerFacts> {
  const e = classifyError(err, where);
  return {
    target,
    status: e.status,
    message: e.message,
    durationMs: Math.round(performance.now() - started),
  };
}

const engineDeadline = <T>(work: () => Promise<T>, ms: number): Promise<T> =>
  withDeadline(work, ms, () => new TargetError('timeout', `no answer within ${ms} ms`));

async function readEngine(
  docker: ReadOnlyDocker,
  opts: DockerTargetOptions,
  idleMs: number,
): Promise<DockerFacts> {
  const [info, version, listed] = await Promise.all([
    docker.info(),
    docker.version(),
    listContainers(docker, opts.project),
  ]);
  // Stats first, for every container listed as running, all in flight while the inspects run.
  const running = listed.filter((c) => c.running);
  const plan: StatsPlan = {
    wait: statsWaitMs(idleMs, running.length),
    oneShotPair: answersOneShotAtOnce(String(info.ServerVersion ?? '')),
  };
  const stats = new Map<string, Promise<StatsSample>>();
  const statsDone = mapLimit(running, STATS_PARALLEL, (c) => {
    const sample = readStats(docker, c.id, plan);
    stats.set(c.id, sample);
    return sample;
  });
  // The later ones are started as slots free up: their promise is awaited in containerOf.
  const runningIds = new Set(running.map((c) => c.id));
  const statsOf = (id: string): Promise<StatsSample> | undefined =>
    stats.get(id) ??
    (runningIds.has(id) ? statsDone.then(() => stats.get(id) ?? { error: 'no stats requested' }) : undefined);
  // The inspects do not wait for the stats: they fill the quick pool while the engine samples.
  const inspected = await mapLimit(listed, PARALLEL, ({ id }) =>
    docker.inspectContainer(id).catch((err: unknown) => {
      // Removed between the listing and the inspect: it is not running any more.
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }),
  );
  // The images named (by the compose file or the config) and those the containers run, read
  // while the engine is still sampling.
  const runs = inspected.map((c) =>
    c === null ? '' : String((c.Config as { Image?: unknown })?.Image ?? ''),
  );
  const refs = [...new Set([...(opts.images ?? []), ...runs].filter((r) => r !== ''))];
  const [read, images] = await Promise.all([
    Promise.all(
      inspected.map((c, i) => (c === null ? null : containerOf(docker, c, plan, statsOf(listed[i]!.id)))),
    ),
    mapLimit(refs, PARALLEL, (ref) =>
      readImage(docker, ref).catch((err: unknown) => {
        // An engine that stops answering fails the target; one image it cannot show is recorded.
        const e = classifyError(err, ref);
        if (e.status === 'timeout') throw err;
        return missingImage(ref, e.message);
      }),
    ),
  ]);
  const containers = read
    .filter((c): c is DockerContainer => c !== null)
    .sort((a, b) => byText(a.name, b.name));
  return DockerFactsSchema.parse({
    engine: engineOf(info, version),
    project: opts.project ?? null,
    archive: null,
    images,
    containers,
  });
}

/**
 * Reads one Docker engine: `unix:///path`, `tcp://host:port` (TLS from `certPath` /
 * `DOCKER_CERT_PATH`), or `DOCKER_HOST` when the URL is empty. With `archive` in the target,
 * reads that `docker save` file instead. Only GET requests reach the engine.
 */
export async function collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<DockerFacts>> {
  const started = performance.now();
  const url = target.url || process.env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  const name = target.name ?? redactUrl(url);
  const parsed = DockerTargetOptionsSchema.safeParse(target);
  if (!parsed.success) {
    const message = `invalid docker target options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    return { target: name, status: 'invalid', message, durationMs: 0 };
  }
  if (parsed.data.archive) {
    const facts = await collectImageArchive(parsed.data.archive, ctx, parsed.data.images);
    return { ...facts, target: target.name ?? facts.target };
  }
  let docker: ReadOnlyDocker | undefined;
  try {
    const { certPath, tlsVerify } = parsed.data;
    docker = readOnlyDocker(dockerOptions(url, { certPath, tlsVerify }), {
      idleMs: ctx.timeoutMs,
      waitingSockets: STATS_PARALLEL,
      signal: ctx.signal ?? AbortSignal.timeout(sourceDeadlineMs(ctx.timeoutMs)),
    });
    const data = await readEngine(docker, parsed.data, ctx.timeoutMs);
    return { target: name, status: 'ok', durationMs: Math.round(performance.now() - started), data };
  } catch (err) {
    return failed(name, err, redactUrl(url), started);
  } finally {
    docker?.close();
  }
}

/**
 * Reads the images of a `docker save` archive without an engine (`--image-archive FILE`):
 * the same image facts, no containers, `engine: null`. `images` picks some; default all.
 */
export async function collectImageArchive(
  file: string,
  ctx: CollectContext,
  images?: readonly string[],
): Promise<TargetFacts<DockerFacts>> {
  const started = performance.now();
  const path = isAbsolute(file) ? file : resolve(ctx.projectDir, file);
  const target = `archive ${file}`;
  try {
    const list = await engineDeadline(() => readArchiveImages(path, images), ctx.timeoutMs);
    const data = DockerFactsSchema.parse({
      engine: null,
      project: null,
      archive: file,
      images: list,
      containers: [],
    });
    return { target, status: 'ok', durationMs: Math.round(performance.now() - started), data };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT')
      return { ...failed(target, err, file, started), status: 'invalid', message: `${file}: no such file` };
    if (code === 'EACCES') return failed(target, err, file, started);
    const message = `${file}: ${err instanceof Error ? err.message : String(err)}`;
    return {
      target,
      status: err instanceof TargetError ? err.status : 'invalid',
      message,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

export const dockerCollector: LiveCollector<DockerFacts> = { collect };
