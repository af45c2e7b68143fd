import { z } from 'zod';
import type { DockerContainer } from '../../collectors/docker/schema.js';
import { defineCheck } from '../../core/check.js';
import { formatBytes, parseCount, parseDockerSize, plural, sizeOption } from '../../facts/common.js';
import { SHIPPING_DRIVERS } from '../../facts/compose.js';
import {
  containerOutcome,
  containerSubject,
  type JudgedContainer,
  liveContainers,
  noContainers,
} from '../../facts/docker.js';

const options = z.object({
  /** Docker's default interval is 30 s; the checklist's compose example uses 10 s. */
  maxHealthcheckIntervalSeconds: z.number().positive().default(10),
  /** json-file rotation: the checklist's 10 MB per file, 3 files. */
  maxLogSizeBytes: sizeOption(10 * 1024 * 1024),
  maxLogFiles: z.number().int().positive().default(3),
  /** Drivers that bound local disk use on their own. */
  acceptedLogDrivers: z.array(z.string()).default(['local', 'journald', ...SHIPPING_DRIVERS]),
  restartPolicies: z.array(z.string()).min(1).default(['unless-stopped']),
});
type Options = z.output<typeof options>;

/** A shortfall: what is wrong, the compose lines and the `docker run` flags that fix it. */
interface Gap {
  note: string;
  yaml: string[];
  flags: string[];
}

function logGap(c: DockerContainer, o: Options): Gap | undefined {
  const { driver, options: opts } = c.log;
  const fix: Omit<Gap, 'note'> = {
    yaml: [
      'logging:',
      '  driver: json-file',
      '  options:',
      '    max-size: 10m',
      `    max-file: "${o.maxLogFiles}"`,
    ],
    flags: ['--log-opt max-size=10m', `--log-opt max-file=${o.maxLogFiles}`],
  };
  if (driver === 'json-file') {
    const size = opts['max-size'] ? parseDockerSize(opts['max-size']) : null;
    if (size === null) return { note: 'json-file without max-size: logs never rotate', ...fix };
    if (size > o.maxLogSizeBytes)
      return { note: `log max-size ${formatBytes(size)} > ${formatBytes(o.maxLogSizeBytes)}`, ...fix };
    const files = opts['max-file'] ? parseCount(opts['max-file']) : 1;
    if (files === null || files > o.maxLogFiles)
      return { note: `log max-file ${opts['max-file']} > ${o.maxLogFiles}`, ...fix };
    return undefined;
  }
  if (driver === 'none') return { note: 'log driver none: no logs kept at all', ...fix };
  if (o.acceptedLogDrivers.includes(driver)) return undefined;
  return { note: `cannot tell whether log driver ${driver} rotates`, ...fix };
}

function gapsOf(c: DockerContainer, o: Options): Gap[] {
  const gaps: Gap[] = [];
  const limits = ['deploy:', '  resources:', '    limits:'];
  if (c.memoryLimitBytes === null) {
    gaps.push({ note: 'no memory limit', yaml: [...limits, '      memory: 512M'], flags: ['--memory 512m'] });
  }
  if (c.cpuLimit === null) {
    gaps.push({ note: 'no CPU limit', yaml: [...limits, "      cpus: '2'"], flags: ['--cpus 2'] });
  }
  const hc = c.healthcheck;
  const interval = hc ? (hc.intervalSeconds ?? 30) : null;
  const hcYaml = [
    'healthcheck:',
    '  test: ["CMD", "curl", "-f", "http://localhost:8000/health"]',
    '  interval: 10s',
  ];
  const hcFlags = ['--health-cmd "curl -f http://localhost:8000/health"', '--health-interval 10s'];
  if (interval === null) gaps.push({ note: 'no healthcheck', yaml: hcYaml, flags: hcFlags });
  else if (interval > o.maxHealthcheckIntervalSeconds) {
    gaps.push({
      note: `healthcheck every ${interval}s > ${o.maxHealthcheckIntervalSeconds}s`,
      yaml: hcYaml.filter((l) => !l.includes('test')),
      flags: ['--health-interval 10s'],
    });
  }
  const log = logGap(c, o);
  if (log) gaps.push(log);
  if (!o.restartPolicies.includes(c.restartPolicy.name)) {
    gaps.push({
      note: `restart policy ${c.restartPolicy.name}`,
      yaml: [`restart: ${o.restartPolicies[0]}`],
      flags: [`--restart ${o.restartPolicies[0]}`],
    });
  }
  return gaps;
}

/** Merges the `deploy.resources.limits` headers that memory and CPU gaps both add. */
function mergeYaml(gaps: Gap[]): string[] {
  const out: string[] = [];
  for (const line of gaps.flatMap((g) => g.yaml)) {
    if (/^(deploy:|\s+resources:|\s+limits:)$/.test(line) && out.includes(line)) continue;
    out.push(line);
  }
  return out;
}

function observed(c: DockerContainer): string {
  const opts = Object.entries(c.log.options).map(([k, v]) => `${k}=${v}`);
  return [
    `memory ${c.memoryLimitBytes === null ? 'unlimited' : formatBytes(c.memoryLimitBytes)}`,
    `cpus ${c.cpuLimit ?? 'unlimited'}`,
    c.healthcheck ? `healthcheck every ${c.healthcheck.intervalSeconds ?? 30}s` : 'no healthcheck',
    `log ${[c.log.driver, ...opts].join(' ')}`,
    `restart ${c.restartPolicy.name}`,
  ].join(', ');
}

function judge(c: DockerContainer, o: Options): JudgedContainer {
  const gaps = gapsOf(c, o);
  const notes = gaps.map((g) => g.note);
  if (c.health?.status === 'unhealthy')
    notes.push(`unhealthy (${c.health.failingStreak} failing checks in a row)`);
  if (c.state !== 'running') notes.push(`state ${c.state} (${c.restartCount} restarts)`);
  return {
    container: c,
    evidence: {
      subject: containerSubject(c),
      observed: observed(c),
      expected: `memory and CPU limits, a healthcheck every ≤ ${o.maxHealthcheckIntervalSeconds}s, log rotation (json-file ≤ ${formatBytes(o.maxLogSizeBytes)} × ${o.maxLogFiles} or local), restart ${o.restartPolicies.join(' or ')}`,
      status: gaps.length > 0 ? 'fail' : c.health?.status === 'unhealthy' ? 'warn' : 'pass',
      note: notes.length > 0 ? notes.join('; ') : undefined,
    },
    yaml: mergeYaml(gaps),
    flags: gaps.flatMap((g) => g.flags),
  };
}

export default defineCheck({
  id: 'docker/container-limits',
  title: 'Running containers have limits, healthchecks, log rotation and a restart policy',
  failureTitle: 'Running containers lack limits, healthchecks, log rotation or a restart policy',
  description:
    'What the compose file says is not always what runs: an old container, a `docker run` by hand, an ' +
    'override file or daemon defaults change it. This check reads the running containers from the engine: a ' +
    'memory limit (`HostConfig.Memory`, 0 = unlimited) so one leak cannot take the host down, a CPU limit ' +
    '(`NanoCpus` or `CpuQuota`/`CpuPeriod`), a healthcheck (the checklist uses a 10 s interval; Docker defaults ' +
    'to 30 s), log rotation (json-file defaults to no rotation; the checklist asks for 10 MB × 3 files, or the ' +
    '`local` driver) and `restart: unless-stopped`. The checklist sizes app workers at 512 MB and 2–4 cores. ' +
    'See https://docs.docker.com/engine/containers/resource_constraints/ and ' +
    'https://docs.docker.com/reference/dockerfile/#healthcheck',
  seedRef: '3.2',
  severity: 'high',
  kind: 'auto',
  requires: ['docker'],
  options,
  run(input, o) {
    const containers = liveContainers(input);
    if (containers.length === 0) return noContainers(input);
    return containerOutcome(
      containers.map((c) => judge(c, o)),
      {
        passed: `all ${plural(containers.length, 'running container')} have limits, a healthcheck, log rotation and a restart policy`,
        failed: 'containers falling short',
        warned: 'unhealthy containers',
        summary:
          'Recreate the containers with memory and CPU limits, a healthcheck, rotated logs and restart ' +
          'unless-stopped (compose services below; `docker run` flags for containers outside compose). Size the ' +
          'limits to the service: the values shown are the checklist’s app-worker figures.',
        applies: 'redeploy',
      },
    );
  },
});
