import { z } from 'zod';
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { type Judged, unjudgeable } from '../helpers.js';
import { composeServices, longRunningOutcome, oneShotItem, oneShotReason, serviceRole } from './roles.js';

/** Docker's interval when a healthcheck gives none (Dockerfile reference, HEALTHCHECK). */
const DOCKER_DEFAULT_INTERVAL_S = 30;

const options = z.object({
  /** The checklist's "healthchecks every 10s". */
  maxIntervalSeconds: z.number().positive().default(10),
});

/** A readiness probe that works inside each role's usual image. */
const PROBES: Record<string, string> = {
  postgres: `["CMD-SHELL", "pg_isready -U \\"$\${POSTGRES_USER:-postgres}\\""]`,
  clickhouse: `["CMD", "clickhouse-client", "--query", "SELECT 1"]`,
  redis: `["CMD", "redis-cli", "ping"]`,
  app: `["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]`,
};
const ANY_PROBE = `["CMD", "true"]  # replace with a command that exits 0 once the service is ready`;

function judge(
  svc: ComposeService,
  unresolved: ComposeFacts['unresolved'],
  role: string | undefined,
  max: number,
): Judged {
  const name = svc.name;
  const expected = `interval ≤ ${max} s`;
  const interval = `  interval: ${max}s`;
  const fullFix = [
    'healthcheck:',
    `  test: ${(role && PROBES[role]) ?? ANY_PROBE}`,
    interval,
    '  timeout: 5s',
    '  retries: 5',
  ];
  const base: Evidence = { subject: `service ${name}`, file: svc.file, line: svc.line, expected };
  const hc = svc.healthcheck;
  if (!hc) {
    const note = 'no healthcheck in compose (an image HEALTHCHECK, if any, is not visible here)';
    return { name, fix: fullFix, evidence: { ...base, observed: 'none', status: 'fail', note } };
  }
  const at: Evidence = { ...base, file: hc.file, line: hc.line };
  if (hc.disabled) {
    return {
      name,
      fix: fullFix,
      evidence: { ...at, observed: 'disabled', status: 'fail', note: 'healthcheck disabled' },
    };
  }
  const fix = ['healthcheck:', interval];
  const iv = hc.intervalSeconds;
  if (!iv) {
    const observed = `${DOCKER_DEFAULT_INTERVAL_S} s`;
    return {
      name,
      fix,
      evidence: { ...at, observed, status: 'fail', note: "no interval: Docker's default is 30 s" },
    };
  }
  const bad = unjudgeable(unresolved, iv);
  if (bad || iv.value === null)
    return { name, fix, evidence: { ...at, file: iv.file, line: iv.line, status: 'fail', ...bad } };
  const evidence: Evidence = { ...at, file: iv.file, line: iv.line, observed: `${iv.value} s` };
  if (iv.value > max)
    return { name, fix, evidence: { ...evidence, status: 'fail', note: 'interval too long' } };
  return { name, evidence: { ...evidence, status: 'pass' } };
}

export default defineCheck({
  id: 'compose/healthcheck',
  title: 'Every long-running service has a healthcheck every 10 s or less',
  failureTitle: 'Services lack a healthcheck or check too rarely',
  description:
    'Without a healthcheck Docker only knows a container is running, not that it is ready: dependants start ' +
    'against a database still recovering, and a hung API is never reported unhealthy. The checklist asks for ' +
    "healthchecks every 10 s. Docker's default interval is 30 s, so a healthcheck without `interval` fails. " +
    'One-shot services (migrations, setup jobs) are not judged. ' +
    'See https://docs.docker.com/reference/compose-file/services/#healthcheck and ' +
    'https://docs.docker.com/reference/dockerfile/#healthcheck',
  seedRef: '3.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['compose'],
  options,
  run(input, o) {
    const items: Judged[] = [];
    for (const { service, facts } of composeServices(input)) {
      const oneShot = oneShotReason(service, input.roles, facts);
      if (oneShot) {
        items.push(oneShotItem(service, oneShot));
        continue;
      }
      const role = serviceRole(service, input.roles, facts).role;
      items.push(judge(service, facts.unresolved, role, o.maxIntervalSeconds));
    }
    return longRunningOutcome(items, {
      passed: `every long-running service has a healthcheck every ${o.maxIntervalSeconds} s or less`,
      failed: `without a healthcheck every ${o.maxIntervalSeconds} s`,
      warned: 'whose healthcheck interval cannot be judged',
      summary: `Add a healthcheck with interval ≤ ${o.maxIntervalSeconds}s to every long-running service.`,
    });
  },
});
