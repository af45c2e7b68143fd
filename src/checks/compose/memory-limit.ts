import { z } from 'zod';
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import { defineCheck } from '../../core/check.js';
import { dockerSize, formatBytes, gib, mib, sizeOption } from '../../facts/common.js';
import {
  composeServices,
  type Judged,
  noServices,
  outcomeOf,
  type RoleInfo,
  resourceLimit,
  roleNote,
  serviceRole,
  workerCount,
} from '../../facts/compose.js';

const options = z.object({
  /** Per app worker process: the checklist's "FastAPI worker 512MB". */
  appMaxBytes: sizeOption(mib(512)),
  /** Scale the app bound by the worker count found in the command or WEB_CONCURRENCY. */
  appPerWorker: z.boolean().default(true),
  clickhouseBytes: sizeOption(gib(16)),
  /** "Around 16 GB": a ClickHouse limit this far from it either way is a warning. */
  clickhouseTolerance: z.number().min(0).max(1).default(0.25),
});
type Options = z.output<typeof options>;

const limitLines = (size: string) => ['deploy:', '  resources:', '    limits:', `      memory: ${size}`];

function judge(
  svc: ComposeService,
  unresolved: ComposeFacts['unresolved'],
  role: RoleInfo,
  o: Options,
): Judged {
  const name = svc.name;
  const note = roleNote(role);
  const withNote = (extra?: string) => [extra, note].filter(Boolean).join('; ');
  const workers = role.role === 'app' && o.appPerWorker ? workerCount(svc) : undefined;
  const appMax = o.appMaxBytes * (workers?.count ?? 1);
  const chLow = o.clickhouseBytes * (1 - o.clickhouseTolerance);
  const chHigh = o.clickhouseBytes * (1 + o.clickhouseTolerance);
  let expected = 'a memory limit';
  let suggested = `1G  # placeholder: the service's measured peak plus headroom`;
  if (role.role === 'app') {
    expected = workers
      ? `≤ ${formatBytes(appMax)} (${workers.count} workers × ${formatBytes(o.appMaxBytes)}, from ${workers.from})`
      : `≤ ${formatBytes(appMax)}`;
    suggested = dockerSize(appMax);
  } else if (role.role === 'clickhouse') {
    expected = `about ${formatBytes(o.clickhouseBytes)} (${formatBytes(chLow)}–${formatBytes(chHigh)})`;
    suggested = dockerSize(o.clickhouseBytes);
  } else if (role.role === 'redis') {
    suggested = `5G  # above Redis maxmemory (4gb in the checklist) plus headroom`;
  }
  const fix = limitLines(suggested);
  const limit = resourceLimit(svc, svc.memoryLimit, unresolved, {
    expected,
    missing: 'no deploy.resources.limits.memory or mem_limit',
    fix,
    withNote,
  });
  if ('judged' in limit) return limit.judged;
  const { at, value } = limit;
  const observed = formatBytes(value);
  if (role.role === 'app' && value > appMax) {
    return {
      name,
      fix,
      evidence: { ...at, observed, status: 'fail', note: withNote('above the app bound') },
    };
  }
  if (role.role === 'clickhouse' && (value < chLow || value > chHigh)) {
    const note = value < chLow ? 'well below the checklist figure' : 'well above the checklist figure';
    return { name, fix, evidence: { ...at, observed, status: 'warn', note: withNote(note) } };
  }
  return { name, evidence: { ...at, observed, status: 'pass', note: withNote() } };
}

export default defineCheck({
  id: 'compose/memory-limit',
  title: 'Every service has a memory limit within the checklist bounds',
  failureTitle: 'Services lack a memory limit or exceed the checklist bounds',
  description:
    'A container without a memory limit can take the whole host and get a neighbour (often the database) ' +
    'killed by the kernel OOM killer. The checklist sets 512 MB per FastAPI worker and about 16 GB for ClickHouse ' +
    '(on a 64 GB host), and resource constraints on all services. The app bound is per worker: a container running ' +
    '`--workers 4` may use 4 × 512 MiB. A ClickHouse limit more than 25% away from 16 GiB is a warning (the ' +
    'figure depends on the host; options `clickhouseBytes`, `clickhouseTolerance`). Docker reads `512m` as 512 MiB. ' +
    'See https://docs.docker.com/reference/compose-file/deploy/#resources and ' +
    'https://docs.docker.com/engine/containers/resource_constraints/#memory',
  seedRef: '3.2, 3.3',
  severity: 'high',
  kind: 'auto',
  requires: ['compose'],
  options,
  run(input, o) {
    const refs = composeServices(input);
    if (refs.length === 0) return noServices();
    const items = refs.map(({ service, facts }) =>
      judge(service, facts.unresolved, serviceRole(service, input.roles, facts), o),
    );
    return outcomeOf(items, {
      passed: `all ${items.length} services have a memory limit within bounds`,
      failed: 'without a suitable memory limit',
      warned: 'with a memory limit to review',
      summary: 'Set a memory limit on every service (deploy.resources.limits.memory, or mem_limit).',
    });
  },
});
