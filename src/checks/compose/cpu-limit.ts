import { z } from 'zod';
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  composeServices,
  type Judged,
  noServices,
  outcomeOf,
  type RoleInfo,
  resourceLimit,
  roleNote,
  serviceRole,
} from '../../facts/compose.js';

const options = z.object({
  /** The checklist's "2-4 cores per service". */
  min: z.number().positive().default(2),
  max: z.number().positive().default(4),
  /** What a limit below `min` gets: small services rarely need 2 cores. */
  belowMin: z.enum(['pass', 'warn', 'fail']).default('warn'),
  /** Lower floors per role: PgBouncer is one process and Redis runs commands on one thread. */
  roleMin: z.record(z.string(), z.number().positive()).default({ pgbouncer: 1, redis: 1 }),
});
type Options = z.output<typeof options>;

const cores = (n: number) => `${Number(n.toFixed(2))} ${n === 1 ? 'core' : 'cores'}`;

function judge(
  svc: ComposeService,
  unresolved: ComposeFacts['unresolved'],
  role: RoleInfo,
  o: Options,
): Judged {
  const name = svc.name;
  const min = (role.role && o.roleMin[role.role]) || o.min;
  const note = role.role ? roleNote(role) : undefined;
  const withNote = (extra?: string) => [extra, note].filter(Boolean).join('; ') || undefined;
  const expected = `${min}–${o.max} cores`;
  const fixTo = (n: number) => ['deploy:', '  resources:', '    limits:', `      cpus: "${n}"`];
  const fix = fixTo(Math.min(min, o.max));
  const limit = resourceLimit(svc, svc.cpuLimit, unresolved, {
    expected,
    missing: 'no deploy.resources.limits.cpus or cpus',
    fix,
    withNote,
  });
  if ('judged' in limit) return limit.judged;
  const { at, value } = limit;
  const observed = cores(value);
  if (value > o.max) {
    const evidence: Evidence = {
      ...at,
      observed,
      status: 'fail',
      note: withNote('above the per-service bound'),
    };
    return { name, fix: fixTo(o.max), evidence };
  }
  if (value < min && o.belowMin !== 'pass') {
    const evidence: Evidence = {
      ...at,
      observed,
      status: o.belowMin,
      note: withNote('below the checklist range'),
    };
    return { name, fix, evidence };
  }
  return { name, evidence: { ...at, observed, status: 'pass', note: withNote() } };
}

export default defineCheck({
  id: 'compose/cpu-limit',
  title: 'Every service has a CPU limit of 2–4 cores',
  failureTitle: 'Services lack a CPU limit or exceed 4 cores',
  description:
    'Without a CPU limit one busy container (a heavy ClickHouse query, a runaway worker) starves the others on ' +
    'the host. The checklist asks for 2–4 cores per service and resource constraints on all services. A limit ' +
    'below 2 cores is a warning by default (option `belowMin`): PgBouncer is a single process and Redis runs ' +
    'commands on one thread, so their floor is 1 core (option `roleMin`). ' +
    'See https://docs.docker.com/reference/compose-file/deploy/#resources and ' +
    'https://docs.docker.com/engine/containers/resource_constraints/#cpu',
  seedRef: '3.2, 3.3',
  severity: 'medium',
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
      passed: `all ${items.length} services have a CPU limit of ${o.min}–${o.max} cores`,
      failed: 'without a CPU limit in range',
      warned: 'with a CPU limit to review',
      summary: 'Set a CPU limit on every service (deploy.resources.limits.cpus, or cpus).',
    });
  },
});
