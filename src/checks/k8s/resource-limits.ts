import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { type ContainerRef, containerRefs, k8sTargets, workloadLabel } from '../../facts/k8s.js';
import { roleNote } from '../../facts/compose-roles.js';
import { workerCount } from '../../facts/compose.js';
import { formatBytes, gib, mib, sizeOption } from '../../facts/common.js';
import { type K8sJudged, k8sOutcome, noWorkloads } from '../../facts/k8s-judged.js';

const options = z.object({
  /** Per app worker process: the checklist's "FastAPI worker 512MB", as compose/memory-limit. */
  appMaxBytes: sizeOption(mib(512)),
  appPerWorker: z.boolean().default(true),
  clickhouseBytes: sizeOption(gib(16)),
  clickhouseTolerance: z.number().min(0).max(1).default(0.25),
  /**
   * A container without a CPU limit: a warning by default. Many teams leave CPU unlimited on purpose
   * (requests still reserve the share; a limit throttles bursts); the checklist asks for one.
   */
  cpuLimitMissing: z.enum(['fail', 'warn']).default('warn'),
});
type Options = z.output<typeof options>;

/** Redis's own memory units (`4gb` = 4 GiB, `4g` = 4 × 10^9), from redis.conf's header. */
function redisBytes(text: string): number | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const mult: Record<string, number> = {
    '': 1,
    k: 1e3,
    kb: 1024,
    m: 1e6,
    mb: 1024 ** 2,
    g: 1e9,
    gb: 1024 ** 3,
  };
  return Number(m[1]) * (mult[unit] as number);
}

/** `--maxmemory 4gb` in a Redis container's command or args. */
function maxmemoryOf(ref: ContainerRef): number | null | undefined {
  const words = [...(ref.container.command?.value ?? []), ...(ref.container.args?.value ?? [])].flatMap((w) =>
    w.split(/\s+/),
  );
  const i = words.findIndex((w) => w === '--maxmemory' || w.startsWith('--maxmemory='));
  if (i < 0) return undefined;
  const w = words[i] as string;
  return redisBytes(w.includes('=') ? w.slice(w.indexOf('=') + 1) : (words[i + 1] ?? ''));
}

type Q = { value: number | null; file: string; line: number; raw?: string } | undefined;

const fmtCpu = (v: number) => `${Number(v.toFixed(3))} CPU`;

function judge(ref: ContainerRef, o: Options): K8sJudged {
  const { workload: w, container: c, role } = ref;
  const name = workloadLabel(w);
  const subject = `${name} container ${c.name}`;
  const note = [roleNote(role), ref.oneShot ? `one-shot: ${ref.oneShot}` : undefined]
    .filter(Boolean)
    .join('; ');
  const missing: string[] = [];
  const bad: string[] = [];
  const q = (label: string, v: Q) => {
    if (!v) missing.push(label);
    else if (v.value === null) bad.push(`${label} ${JSON.stringify(v.raw ?? '')} is not a quantity`);
  };
  q('requests.cpu', c.requests.cpu);
  q('requests.memory', c.requests.memory);
  q('limits.memory', c.limits.memory);
  const at = c.limits.memory ?? c.requests.memory ?? c;
  const base: Evidence = { subject, file: at.file, line: at.line };
  const workers = role.role === 'app' && o.appPerWorker ? workerCount(ref.service) : undefined;
  const appMax = o.appMaxBytes * (workers?.count ?? 1);
  const fix = [
    `containers: - name: ${c.name}`,
    '  resources:',
    `    requests: {cpu: ${c.requests.cpu?.raw ?? '250m'}, memory: ${c.requests.memory?.raw ?? '256Mi'}}`,
    `    limits: {cpu: ${c.limits.cpu?.raw ?? '"1"'}, memory: ${role.role === 'app' ? `${appMax / 2 ** 20}Mi` : (c.limits.memory?.raw ?? '512Mi  # the measured peak plus headroom')}}`,
  ];
  if (missing.length > 0 || bad.length > 0) {
    return {
      name,
      fix,
      evidence: {
        ...base,
        observed: missing.length > 0 ? `no ${missing.join(', ')}` : bad.join('; '),
        expected: 'requests (cpu, memory) and limits (memory, cpu)',
        status: 'fail',
        note: [...bad, note].filter(Boolean).join('; '),
      },
    };
  }
  const mem = c.limits.memory?.value as number;
  const observed = `requests ${fmtCpu(c.requests.cpu?.value as number)}, ${formatBytes(c.requests.memory?.value as number)}; limits ${c.limits.cpu?.value == null ? 'no cpu' : fmtCpu(c.limits.cpu.value)}, ${formatBytes(mem)}`;
  if (role.role === 'app' && !ref.oneShot && mem > appMax) {
    const expected = workers
      ? `memory limit ≤ ${formatBytes(appMax)} (${workers.count} workers × ${formatBytes(o.appMaxBytes)}, from ${workers.from})`
      : `memory limit ≤ ${formatBytes(appMax)}`;
    return {
      name,
      fix,
      evidence: { ...base, observed, expected, status: 'fail', note: `above the app bound; ${note}` },
    };
  }
  const maxmemory = role.role === 'redis' ? maxmemoryOf(ref) : undefined;
  if (typeof maxmemory === 'number' && maxmemory > 0 && maxmemory >= mem) {
    return {
      name,
      fix,
      evidence: {
        ...base,
        observed: `maxmemory ${formatBytes(maxmemory)}, memory limit ${formatBytes(mem)}`,
        expected: 'a memory limit above Redis maxmemory (plus room for fork, buffers and fragmentation)',
        status: 'fail',
        note: `Redis is OOM-killed before it ever evicts; ${note}`,
      },
    };
  }
  const chLow = o.clickhouseBytes * (1 - o.clickhouseTolerance);
  const chHigh = o.clickhouseBytes * (1 + o.clickhouseTolerance);
  if (role.role === 'clickhouse' && (mem < chLow || mem > chHigh)) {
    return {
      name,
      fix,
      evidence: {
        ...base,
        observed,
        expected: `memory limit about ${formatBytes(o.clickhouseBytes)} (${formatBytes(chLow)}–${formatBytes(chHigh)})`,
        status: 'warn',
        note: `${mem < chLow ? 'well below' : 'well above'} the checklist figure; ${note}`,
      },
    };
  }
  if (!c.limits.cpu || c.limits.cpu.value === null) {
    return {
      name,
      fix,
      evidence: {
        ...base,
        observed,
        expected: 'a CPU limit',
        status: c.limits.cpu ? 'fail' : o.cpuLimitMissing,
        note: `${c.limits.cpu ? `limits.cpu ${JSON.stringify(c.limits.cpu.raw ?? '')} is not a quantity` : 'no limits.cpu: the container may take every core of its node'}; ${note}`,
      },
    };
  }
  return { name, evidence: { ...base, observed, status: 'pass', note } };
}

export default defineCheck({
  id: 'k8s/resource-limits',
  title: 'Every container has resource requests and limits within the checklist bounds',
  failureTitle: 'Containers lack resource requests or limits, or exceed the checklist bounds',
  description:
    'The scheduler places pods by their requests, and a container without a memory limit can take its whole node ' +
    'and get neighbours OOM-killed. The checklist asks for requests and limits on every container (Phase 1) and the ' +
    'same bounds as for compose: 512 MB per FastAPI worker (a container running `--workers 4` may use 4 × 512 MiB) ' +
    'and about 16 GB for ClickHouse (±25% is a warning). Missing CPU or memory requests, a missing memory limit or a ' +
    'quantity that does not parse fail; a missing CPU limit is a warning (option `cpuLimitMissing`), since a CPU ' +
    'limit throttles rather than kills. A Redis container whose `--maxmemory` is at or above its memory limit fails ' +
    '(it is killed before it evicts). Init containers are not judged. See ' +
    'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
  seedRef: 'Phase 1',
  severity: 'high',
  kind: 'auto',
  requires: ['k8s'],
  options,
  run(input, o) {
    const refs = k8sTargets(input).flatMap((f) => containerRefs(f, input.roles));
    if (refs.length === 0) return noWorkloads('workloads');
    return k8sOutcome(
      refs.map((r) => judge(r, o)),
      {
        passed: `all ${refs.length} containers have requests and limits within bounds`,
        failed: 'without suitable requests and limits',
        warned: 'with limits to review',
        summary:
          'Set resources.requests (cpu, memory) and resources.limits (memory, cpu) on every container.',
      },
    );
  },
});
