import { z } from 'zod';
import type { DockerContainer } from '../../collectors/docker/schema.js';
import { defineCheck } from '../../core/check.js';
import { plural } from '../../facts/common.js';
import {
  containerOutcome,
  containerSubject,
  type JudgedContainer,
  noContainers,
  round1,
  runningContainers,
} from '../../facts/docker.js';

const options = z.object({
  /** The checklist's alert threshold: 70% of the CPU limit. */
  maxPercent: z.number().positive().max(100).default(70),
});

/** A CPU limit that would bring the observed use under the threshold, in half cores. */
function suggestedCpus(usedCores: number, maxPercent: number): string {
  return String(Math.max(0.5, Math.ceil((usedCores / (maxPercent / 100)) * 2) / 2));
}

function judge(c: DockerContainer, maxPercent: number): JudgedContainer {
  const subject = containerSubject(c);
  const expected = `< ${maxPercent}`;
  const s = c.stats;
  if (s === null || s.cpuPercent === null) {
    const why =
      s === null
        ? (c.statsError ?? 'the engine returned none')
        : 'the engine gave no earlier sample to compare';
    return {
      container: c,
      evidence: { subject, expected, observed: null, status: 'warn', note: `no CPU sample: ${why}` },
    };
  }
  const usedCores = s.cpuPercent / 100;
  const window = s.windowMs > 0 ? ` over ${s.windowMs} ms` : '';
  const limited = c.cpuLimit !== null;
  const percent = limited ? s.cpuPercent / c.cpuLimit! : s.cpuPercent / Math.max(1, s.onlineCpus);
  const note = limited
    ? `${Math.round(usedCores * 100) / 100} of ${c.cpuLimit} CPUs${window}`
    : `no CPU limit: share of the host's ${s.onlineCpus} CPUs${window}`;
  const status = percent < maxPercent ? 'pass' : 'fail';
  const cpus = suggestedCpus(usedCores, maxPercent);
  return {
    container: c,
    evidence: {
      subject,
      observed: round1(percent),
      expected,
      unit: limited ? '% of CPU limit' : '% of host CPUs',
      status,
      note,
    },
    yaml: ['deploy:', '  resources:', '    limits:', `      cpus: '${cpus}'`],
    flags: [`--cpus ${cpus}`],
  };
}

export default defineCheck({
  id: 'docker/cpu-usage',
  title: 'Containers use less than 70% of their CPU limit',
  failureTitle: 'Containers are near their CPU limit',
  description:
    'A container that runs at its CPU limit is throttled by the kernel: requests queue and latency grows ' +
    'long before anything errors. The checklist alerts at 70% CPU. This check takes one stats sample per ' +
    "running container and computes CPU % as Docker's CLI does (the container's CPU time over the host's in " +
    "the engine's ~1 s window, times the online CPUs), then divides by the container's limit in cores; a " +
    'container without a limit is measured against the whole host. One sample is a snapshot, not a trend: ' +
    'confirm a failure with your monitoring. ' +
    'See https://docs.docker.com/reference/cli/docker/container/stats/ and ' +
    'https://docs.docker.com/engine/containers/resource_constraints/#cpu',
  seedRef: '5.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['docker'],
  options,
  run(input, o) {
    const containers = runningContainers(input);
    if (containers.length === 0) return noContainers(input);
    return containerOutcome(
      containers.map((c) => judge(c, o.maxPercent)),
      {
        passed: `all ${plural(containers.length, 'running container')} under ${o.maxPercent}% of their CPU limit (one sample)`,
        failed: `at or over ${o.maxPercent}% of their CPU limit`,
        warned: 'without a CPU sample',
        summary:
          'Give the busy containers more CPU (or more replicas), or find what burns it; the limits below bring the ' +
          `sampled use under ${o.maxPercent}%.`,
        applies: 'redeploy',
      },
    );
  },
});
