import { z } from 'zod';
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  composeDockerfiles,
  composeServices,
  type Judged,
  longRunningOutcome,
  oneShotItem,
  oneShotReason,
  serviceRole,
  unjudgeable,
} from '../../facts/compose.js';
import {
  builtDockerfile,
  DOCKER_DEFAULT_INTERVAL_S,
  type ImageHealthcheck,
  imageHealthcheck,
} from './image-healthcheck.js';

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
  image: ImageHealthcheck | undefined,
  dockerfile: string | undefined,
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
  if (!hc && image) return judgeImage(name, base, image, max, fullFix, interval);
  if (!hc) {
    const engine = 'an image HEALTHCHECK is seen with a docker engine or --image-archive';
    const note = !svc.build
      ? `no healthcheck in compose (${engine})`
      : dockerfile
        ? `no healthcheck in compose, and no HEALTHCHECK in the stage it builds of ${dockerfile} (for its base image: ${engine})`
        : `no healthcheck in compose; the Dockerfile its build: names was not read (${engine})`;
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
  // Docker fills the fields compose leaves out from the image's HEALTHCHECK.
  if (!iv && image && !image.disabled && image.intervalSeconds !== null) {
    const observed = `${image.intervalSeconds} s`;
    const note = `compose sets no interval; it comes from the image: ${image.from}`;
    const status = image.intervalSeconds > max ? 'fail' : 'pass';
    return {
      name,
      ...(status === 'fail' && { fix }),
      evidence: { ...at, observed, status, note },
    };
  }
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

/** A service whose only healthcheck is its image's (Dockerfile HEALTHCHECK or image config). */
function judgeImage(
  name: string,
  base: Evidence,
  image: ImageHealthcheck,
  max: number,
  fullFix: string[],
  interval: string,
): Judged {
  const at: Evidence = {
    ...base,
    ...(image.file !== undefined && { file: image.file }),
    ...(image.line !== undefined && { line: image.line }),
    note: `from the image: ${image.from}`,
  };
  if (image.disabled) {
    return { name, fix: fullFix, evidence: { ...at, observed: 'HEALTHCHECK NONE', status: 'fail' } };
  }
  const seconds = image.intervalSeconds ?? DOCKER_DEFAULT_INTERVAL_S;
  const observed = `${seconds} s${image.intervalSeconds === null ? " (no --interval: Docker's default)" : ''}`;
  if (seconds > max) {
    return { name, fix: ['healthcheck:', interval], evidence: { ...at, observed, status: 'fail' } };
  }
  return { name, evidence: { ...at, observed, status: 'pass' } };
}

export default defineCheck({
  id: 'compose/healthcheck',
  title: 'Every long-running service has a healthcheck every 10 s or less',
  failureTitle: 'Services lack a healthcheck or check too rarely',
  description:
    'Without a healthcheck Docker only knows a container is running, not that it is ready: dependants start ' +
    'against a database still recovering, and a hung API is never reported unhealthy. The checklist asks for ' +
    "healthchecks every 10 s. Docker's default interval is 30 s, so a healthcheck without `interval` fails. " +
    'One-shot services (migrations, setup jobs, ' +
    'services that only build and tag an image: `build:` with a tag and nothing else in compose, no CMD or ENTRYPOINT in the Dockerfile stage built, from a plain OS/runtime base or as a base other builds start FROM) are not judged. A service without a compose healthcheck ' +
    'gets the one of its image: the `HEALTHCHECK` of the Dockerfile stage its `build:` builds (context, ' +
    '`dockerfile`, `target`; inherited through `FROM <stage>`; `HEALTHCHECK NONE` disables it), else, ' +
    'with a docker engine or `--image-archive`, the healthcheck of its container or of its image config (the ' +
    'image it names, or `<project>-<service>` for a built one); a ' +
    "compose healthcheck without `interval` takes the image's, as Docker does. The evidence says where " +
    'the healthcheck came from. ' +
    'See https://docs.docker.com/reference/compose-file/services/#healthcheck and ' +
    'https://docs.docker.com/reference/dockerfile/#healthcheck',
  seedRef: '3.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['compose'],
  optional: ['dockerfile', 'docker'],
  options,
  run(input, o) {
    const items: Judged[] = [];
    const dockerfiles = composeDockerfiles(input);
    for (const { service, facts } of composeServices(input)) {
      const oneShot = oneShotReason(service, input.roles, facts, dockerfiles);
      if (oneShot) {
        items.push(oneShotItem(service, oneShot));
        continue;
      }
      const role = serviceRole(service, input.roles, facts).role;
      const image = imageHealthcheck(input, service, facts);
      const dockerfile = builtDockerfile(input, service)?.file;
      items.push(judge(service, facts.unresolved, role, o.maxIntervalSeconds, image, dockerfile));
    }
    return longRunningOutcome(items, {
      passed: `every long-running service has a healthcheck every ${o.maxIntervalSeconds} s or less`,
      failed: `without a healthcheck every ${o.maxIntervalSeconds} s`,
      warned: 'whose healthcheck interval cannot be judged',
      summary: `Add a healthcheck with interval ≤ ${o.maxIntervalSeconds}s to every long-running service.`,
    });
  },
});
