import { z } from 'zod';
import type { DockerContainer } from '../../collectors/docker/schema.js';
import { defineCheck } from '../../core/check.js';
import { dockerSize, formatBytes, plural } from '../../facts/common.js';
import {
  containerOutcome,
  containerSubject,
  type JudgedContainer,
  noContainers,
  round1,
  runningContainers,
} from '../../facts/docker.js';

const options = z.object({
  /** The checklist's alert threshold: 80% of the memory limit. */
  maxPercent: z.number().positive().max(100).default(80),
});

const STEP = 64 * 1024 * 1024;

/** A limit that puts the observed use at about 70%, in 64 MiB steps. */
function suggestedLimit(usedBytes: number, floor = STEP): string {
  return dockerSize(Math.max(floor, Math.ceil(usedBytes / 0.7 / STEP) * STEP));
}

/** Where no limit is set: at least the checklist's 512 MB for an app worker. */
const APP_WORKER = 8 * STEP;

function judge(c: DockerContainer, maxPercent: number): JudgedContainer {
  const subject = containerSubject(c);
  const expected = `< ${maxPercent}`;
  const s = c.stats;
  if (s === null) {
    const note = `no memory sample: ${c.statsError ?? 'the engine returned none'}`;
    return { container: c, evidence: { subject, expected, observed: null, status: 'warn', note } };
  }
  const used = s.memoryUsageBytes;
  if (c.memoryLimitBytes === null) {
    const host =
      s.memoryLimitBytes > 0
        ? ` (${round1((100 * used) / s.memoryLimitBytes)}% of the host's ${formatBytes(s.memoryLimitBytes)})`
        : '';
    const note = `no memory limit: nothing to measure against; uses ${formatBytes(used)}${host} (docker/container-limits asks for a limit)`;
    const limit = suggestedLimit(used, APP_WORKER);
    return {
      container: c,
      evidence: { subject, expected, observed: null, unit: '% of memory limit', status: 'warn', note },
      yaml: ['deploy:', '  resources:', '    limits:', `      memory: ${limit}`],
      flags: [`--memory ${limit.toLowerCase()}`],
    };
  }
  const percent = (100 * used) / c.memoryLimitBytes;
  const limit = suggestedLimit(used);
  return {
    container: c,
    evidence: {
      subject,
      observed: round1(percent),
      expected,
      unit: '% of memory limit',
      status: percent < maxPercent ? 'pass' : 'fail',
      note: `${formatBytes(used)} of ${formatBytes(c.memoryLimitBytes)} (usage without inactive file cache)`,
    },
    yaml: ['deploy:', '  resources:', '    limits:', `      memory: ${limit}`],
    flags: [`--memory ${limit.toLowerCase()}`],
  };
}

export default defineCheck({
  id: 'docker/memory-usage',
  title: 'Containers use less than 80% of their memory limit',
  failureTitle: 'Containers are near their memory limit',
  description:
    'A container that reaches its memory limit is killed by the kernel (OOM) and restarted, dropping every ' +
    'request in flight. The checklist alerts at 80% memory. This check takes one stats sample per running ' +
    "container and counts memory as Docker's CLI does (usage minus inactive file cache, which the kernel can " +
    "reclaim), against the container's `HostConfig.Memory` limit. A container without a limit has no " +
    'percentage to judge: it is a warning here and a failure in docker/container-limits. ' +
    'See https://docs.docker.com/reference/cli/docker/container/stats/ and ' +
    'https://docs.docker.com/engine/containers/resource_constraints/#memory',
  seedRef: '5.1',
  severity: 'high',
  kind: 'auto',
  requires: ['docker'],
  options,
  run(input, o) {
    const containers = runningContainers(input);
    if (containers.length === 0) return noContainers(input);
    return containerOutcome(
      containers.map((c) => judge(c, o.maxPercent)),
      {
        passed: `all ${plural(containers.length, 'running container')} under ${o.maxPercent}% of their memory limit`,
        failed: `at or over ${o.maxPercent}% of their memory limit`,
        warned: 'without a memory limit or sample',
        summary:
          'Set a memory limit where there is none, and raise it (or find the leak) where use is near it: the ' +
          'limits below put the sampled use at 70% or less (512M at least where none is set).',
        applies: 'redeploy',
      },
    );
  },
});
