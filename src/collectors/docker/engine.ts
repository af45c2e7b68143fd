import { WireError } from '../bounded-request.js';
import { type ReadOnlyDocker, TargetError } from './connect.js';
import type { DockerContainer, DockerEngine, DockerHealthcheck, DockerImage, DockerStats } from './schema.js';

/** Maps Engine API answers (inspect, history, stats) to facts. Only GET calls, via the guarded client. */

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
const MAX_HISTORY = 100;
const NS_PER_S = 1e9;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strList = (v: unknown): string[] | null =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : null;

/** `Config.Healthcheck` (durations in ns) → seconds; `["NONE"]` or no test → `null`. */
export function healthcheckOf(v: unknown): DockerHealthcheck | null {
  const h = obj(v);
  const test = strList(h.Test ?? h.test);
  if (!test || test.length === 0 || test[0] === 'NONE') return null;
  const secs = (x: unknown) => (num(x) > 0 ? num(x) / NS_PER_S : null);
  return {
    test,
    intervalSeconds: secs(h.Interval ?? h.interval),
    timeoutSeconds: secs(h.Timeout ?? h.timeout),
    retries: num(h.Retries ?? h.retries) || null,
  };
}

export function engineOf(info: Json, version: Json): DockerEngine {
  return {
    version: str(info.ServerVersion) || str(version.Version),
    apiVersion: str(version.ApiVersion),
    os: str(info.OSType),
    arch: str(info.Architecture),
    ncpu: num(info.NCPU),
    memTotalBytes: num(info.MemTotal),
    storageDriver: str(info.Driver),
    cgroupVersion: str(info.CgroupVersion) || null,
  };
}

export function missingImage(ref: string, error?: string): DockerImage {
  return {
    ref,
    missing: error === undefined,
    ...(error === undefined ? {} : { error }),
    id: null,
    tags: [],
    sizeBytes: null,
    layers: null,
    created: null,
    user: null,
    healthcheck: null,
    cmd: null,
    entrypoint: null,
    history: [],
  };
}

export async function readImage(docker: ReadOnlyDocker, ref: string): Promise<DockerImage> {
  let inspect: Json;
  try {
    inspect = await docker.inspectImage(ref);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return missingImage(ref);
    throw err;
  }
  const history = (await docker.imageHistory(ref)).slice(0, MAX_HISTORY).map((h) => ({
    createdBy: str(h.CreatedBy),
    sizeBytes: num(h.Size),
    emptyLayer: num(h.Size) === 0,
  }));
  const config = obj(inspect.Config);
  return {
    ref,
    missing: false,
    id: str(inspect.Id),
    tags: strList(inspect.RepoTags) ?? [],
    sizeBytes: num(inspect.Size),
    layers: (strList(obj(inspect.RootFS).Layers) ?? []).length,
    created: str(inspect.Created) || null,
    user: str(config.User) || null,
    healthcheck: healthcheckOf(config.Healthcheck),
    cmd: strList(config.Cmd),
    entrypoint: strList(config.Entrypoint),
    history,
  };
}

/** Cores from `NanoCpus`, else `CpuQuota / CpuPeriod` (period defaults to 100 ms); `null` = unlimited. */
export function cpuLimitOf(hostConfig: Json): number | null {
  if (num(hostConfig.NanoCpus) > 0) return num(hostConfig.NanoCpus) / NS_PER_S;
  const quota = num(hostConfig.CpuQuota);
  if (quota > 0) return quota / (num(hostConfig.CpuPeriod) || 100_000);
  return null;
}

/** One stats answer → CPU % and memory as the docker CLI computes them. */
export function statsOf(s: Json): DockerStats {
  const cpu = obj(s.cpu_stats);
  const pre = obj(s.precpu_stats);
  const usage = obj(cpu.cpu_usage);
  const cpuDelta = num(usage.total_usage) - num(obj(pre.cpu_usage).total_usage);
  const systemDelta = num(cpu.system_cpu_usage) - num(pre.system_cpu_usage);
  const onlineCpus = num(cpu.online_cpus) || (strList(usage.percpu_usage) ?? []).length;
  const hasWindow = num(pre.system_cpu_usage) > 0 && systemDelta > 0;
  const cpuPercent = !hasWindow ? null : cpuDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;
  const mem = obj(s.memory_stats);
  const memStats = obj(mem.stats);
  const inactive = 'total_inactive_file' in memStats ? memStats.total_inactive_file : memStats.inactive_file;
  const used = num(mem.usage);
  const readAt = Date.parse(str(s.read));
  const preAt = Date.parse(str(s.preread));
  return {
    cpuPercent: cpuPercent === null ? null : Math.round(cpuPercent * 100) / 100,
    onlineCpus,
    memoryUsageBytes: num(inactive) < used ? used - num(inactive) : used,
    memoryLimitBytes: num(mem.limit),
    windowMs: hasWindow && preAt > 0 && readAt > preAt ? readAt - preAt : 0,
  };
}

/** One container's stats answer, or why there is none; the source's deadline is thrown, not kept. */
export type StatsSample = { stats: DockerStats } | { error: string; deadline?: WireError };

/** How the stats are asked for, the same for every container of one engine. */
export interface StatsPlan {
  /** The longest silence allowed from the engine while it samples. */
  wait: number;
  /**
   * Two one-shot samples `STATS_WINDOW_MS` apart, the CPU window between them (engines that
   * answer one-shot at once); else one `stream=false` answer, the engine's own window.
   */
  oneShotPair: boolean;
}

/** The CPU window of a one-shot pair: the docker CLI's and the engine's own interval. */
export const STATS_WINDOW_MS = 1000;

/**
 * Whether the engine takes a one-shot sample at once (moby/moby#46448: Docker 25, backported to
 * 24.0.7) rather than at its next sampling round, as 20.10 does (measured: up to 1 s).
 */
export function answersOneShotAtOnce(serverVersion: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(serverVersion);
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return major > 24 || (major === 24 && (minor > 0 || patch >= 7));
}

async function sampleStats(docker: ReadOnlyDocker, id: string, plan: StatsPlan): Promise<DockerStats> {
  if (!plan.oneShotPair) return statsOf(await docker.containerStats(id, plan.wait));
  const first = await docker.containerSample(id, plan.wait);
  await docker.pause(STATS_WINDOW_MS);
  const second = await docker.containerSample(id, plan.wait);
  return statsOf({ ...second, precpu_stats: first.cpu_stats, preread: first.read });
}

/**
 * Reads one container's stats. Settles with the failure instead of rejecting, so that it can be
 * started before anything awaits it; a cut at the deadline ends the whole target instead.
 */
export function readStats(docker: ReadOnlyDocker, id: string, plan: StatsPlan): Promise<StatsSample> {
  return sampleStats(docker, id, plan).then(
    (stats) => ({ stats }),
    (err: unknown) => {
      if (err instanceof WireError && err.kind === 'deadline') return { error: err.message, deadline: err };
      return { error: err instanceof Error ? err.message : String(err) };
    },
  );
}

/**
 * The facts of one inspected container, once its stats answer is in (`stats`, started when the
 * listing showed it running; asked for here when the inspect shows it running and none was).
 */
export async function containerOf(
  docker: ReadOnlyDocker,
  c: Json,
  plan: StatsPlan,
  stats?: Promise<StatsSample>,
): Promise<DockerContainer> {
  const id = str(c.Id);
  const config = obj(c.Config);
  const host = obj(c.HostConfig);
  const state = obj(c.State);
  const labels = obj(config.Labels);
  const log = obj(host.LogConfig);
  const restart = obj(host.RestartPolicy);
  const health = state.Health ? obj(state.Health) : null;
  const running = str(state.Status) === 'running';
  let sample: StatsSample | null = null;
  if (running) {
    sample = await (stats ?? readStats(docker, id, plan));
    // The deadline ends the whole target, not just this sample.
    if ('deadline' in sample && sample.deadline) throw sample.deadline;
  }
  const statsError = sample && 'error' in sample ? sample.error : undefined;
  return {
    id: str(c.Id),
    name: str(c.Name).replace(/^\//, ''),
    project: str(labels[PROJECT_LABEL]) || null,
    service: str(labels[SERVICE_LABEL]) || null,
    image: str(config.Image),
    imageId: str(c.Image),
    state: str(state.Status),
    restartCount: num(c.RestartCount),
    memoryLimitBytes: num(host.Memory) > 0 ? num(host.Memory) : null,
    cpuLimit: cpuLimitOf(host),
    readOnlyRootfs: host.ReadonlyRootfs === true,
    log: {
      driver: str(log.Type),
      options: Object.fromEntries(Object.entries(obj(log.Config)).map(([k, v]) => [k, String(v)])),
    },
    restartPolicy: { name: str(restart.Name) || 'no', maximumRetryCount: num(restart.MaximumRetryCount) },
    networkMode: str(host.NetworkMode),
    healthcheck: healthcheckOf(config.Healthcheck),
    health: health ? { status: str(health.Status), failingStreak: num(health.FailingStreak) } : null,
    stats: sample && 'stats' in sample ? sample.stats : null,
    ...(statsError === undefined ? {} : { statsError }),
  };
}

/** A container as the listing shows it. */
export interface ListedContainer {
  id: string;
  running: boolean;
}

/** Containers of a compose project (any state), or every running container without one. */
export async function listContainers(
  docker: ReadOnlyDocker,
  project: string | undefined,
): Promise<ListedContainer[]> {
  const list = project
    ? await docker.listContainers(true, [`${PROJECT_LABEL}=${project}`])
    : await docker.listContainers(false);
  if (!Array.isArray(list)) throw new TargetError('error', '/containers/json: the answer is not a list');
  return list.map((c) => ({ id: str(obj(c).Id), running: project ? str(obj(c).State) === 'running' : true }));
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
