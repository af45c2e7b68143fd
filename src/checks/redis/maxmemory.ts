import { z } from 'zod';
import { k8sLimitFor } from '../../facts/k8s.js';
import { defineCheck, type Evidence, type Metric, type OutcomeStatus } from '../../core/check.js';
import { containerSizeFor } from '../../facts/docker.js';
import { configNote, evidenceStatus, formatBytes, redisNodes, redisSize, worst } from '../../facts/redis.js';

const GiB = 1024 ** 3;

export default defineCheck({
  id: 'redis/maxmemory',
  title: 'Redis has a memory limit that fits the machine',
  failureTitle: 'Redis has no memory limit, or one the machine cannot hold',
  description:
    'The checklist sets "Memory limit: 4GB". Without `maxmemory` (0, the default) Redis grows until the ' +
    'kernel or the container runtime kills it, and the eviction policy never runs. The check fails when ' +
    'maxmemory is 0 or at least the memory available, warns above `maxFractionOfMemory` of it (a fork ' +
    'for AOF rewrites and snapshots, buffers and fragmentation need the rest), and passes otherwise. ' +
    'The memory available is the smallest known of: the memory limit of the running redis container ' +
    '(when the docker source is given), the memory limit of the redis container in the Kubernetes manifests, the machine size in the config (`machine.memoryBytes`) ' +
    "and the host RAM Redis reports (`total_system_memory`). The checklist's 4 GB is the figure for its " +
    'own machine, not a universal size: `expectedBytes` (default 4 GiB) is only judged when no memory ' +
    'size is known, and warns above it. The memory each node uses (`used_memory`) is reported as a ' +
    'measured value for `--baseline` comparisons. ' +
    'See https://redis.io/docs/latest/develop/reference/eviction/',
  seedRef: '4.2',
  severity: 'high',
  kind: 'auto',
  requires: ['redis'],
  optional: ['docker', 'k8s'],
  options: z.object({
    expectedBytes: z
      .number()
      .int()
      .positive()
      .default(4 * GiB),
    maxFractionOfMemory: z.number().gt(0).lte(1).default(0.75),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const metrics: Metric[] = [];
    let suggested = options.expectedBytes;
    const container = containerSizeFor(input, 'redis');
    const statuses = redisNodes(input.source('redis')).map(({ subject, node }): OutcomeStatus => {
      const max = node.config.maxmemoryBytes;
      // The data held, for `--baseline` comparisons (report/before-after): growth is worse.
      if (node.memory.usedBytes !== null)
        metrics.push({
          name: 'used memory',
          value: node.memory.usedBytes,
          unit: 'bytes',
          better: 'lower',
          subject,
        });
      const limits = [
        { bytes: container?.memoryBytes ?? undefined, from: container?.from ?? '' },
        ...[k8sLimitFor(input, 'redis', 'memory')].flatMap((l) =>
          l ? [{ bytes: l.value, from: `Kubernetes ${l.from}` }] : [],
        ),
        { bytes: input.machine.memoryBytes, from: 'machine.memoryBytes in the config' },
        {
          bytes: node.memory.totalSystemMemoryBytes,
          from: 'host RAM reported by Redis (total_system_memory)',
        },
      ].filter((l): l is { bytes: number; from: string } => typeof l.bytes === 'number' && l.bytes > 0);
      const limit = limits.sort((a, b) => a.bytes - b.bytes)[0];
      const notes = [configNote(node)];
      let status: OutcomeStatus;
      let expected: string;
      if (limit) {
        const ceiling = Math.floor(limit.bytes * options.maxFractionOfMemory);
        suggested = Math.min(suggested, Math.floor(ceiling / 1024 ** 2) * 1024 ** 2);
        expected = `set, ≤ ${formatBytes(ceiling)} (${options.maxFractionOfMemory * 100}% of ${formatBytes(limit.bytes)}, ${limit.from})`;
        status =
          max === null ? 'skip' : max === 0 || max >= limit.bytes ? 'fail' : max > ceiling ? 'warn' : 'pass';
      } else {
        expected = `set, ≤ ${formatBytes(options.expectedBytes)} (the checklist's figure; no memory size known)`;
        status = max === null ? 'skip' : max === 0 ? 'fail' : max > options.expectedBytes ? 'warn' : 'pass';
      }
      if (max === null) notes.push('maxmemory not reported by the server');
      if (max === 0) notes.push('0 means no limit');
      if (input.has('docker') && !container) notes.push('no single running redis container to compare with');
      const note = notes.filter(Boolean).join('; ');
      evidence.push({
        subject,
        observed: max,
        expected,
        unit: 'bytes',
        status: evidenceStatus(status),
        ...(note ? { note } : {}),
      });
      return status;
    });
    const status = worst(statuses);
    const size = redisSize(suggested);
    return {
      status,
      message: {
        pass: 'maxmemory is set and fits the memory available',
        warn: 'maxmemory leaves little headroom, or is above the expected size',
        fail: 'maxmemory is unset, or not below the memory available',
        skip: 'the server did not report maxmemory',
      }[status],
      evidence,
      ...(metrics.length > 0 ? { metrics } : {}),
      ...(status === 'fail' || status === 'warn'
        ? {
            remediation: {
              summary:
                'Set maxmemory below the memory Redis can really use (the checklist uses 4 GB; ' +
                'smaller when the machine is smaller)',
              change: `CONFIG SET maxmemory ${size}\nCONFIG REWRITE\n# redis.conf:\nmaxmemory ${size}`,
              applies: 'reload' as const,
            },
          }
        : {}),
    };
  },
});
