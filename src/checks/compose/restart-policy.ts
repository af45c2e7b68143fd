import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  composeDockerfiles,
  composeServices,
  type Judged,
  longRunningOutcome,
  oneShotItem,
  oneShotReason,
  unresolvedAt,
} from '../../facts/compose.js';

const options = z.object({
  /** The checklist's `restart: unless-stopped`. */
  allowed: z.array(z.string()).default(['unless-stopped']),
  /** Policies that keep the service up but differ from the checklist: a warning. */
  tolerated: z.array(z.string()).default(['always']),
});

/** `deploy.restart_policy.condition` in `restart` terms, as Compose maps it. */
const DEPLOY_CONDITION: Record<string, string> = { any: 'always', 'on-failure': 'on-failure', none: 'no' };

export default defineCheck({
  id: 'compose/restart-policy',
  title: 'Long-running services restart unless stopped',
  failureTitle: 'Long-running services do not restart on their own',
  description:
    'Without a restart policy a crashed or OOM-killed container stays down, and nothing comes back after a host ' +
    'reboot. The checklist asks for `restart: unless-stopped` in production. `always` also keeps services up but ' +
    'restarts a container you stopped by hand when the daemon restarts: a warning. `on-failure` restarts only after ' +
    'a non-zero exit: a server that exits cleanly, for example when stopped for a daemon restart, stays down; `no` ' +
    '(the default) never restarts: failures. `deploy.restart_policy.condition` is read ' +
    'when `restart` is absent (`any` = always). One-shot services (migrations, setup jobs, ' +
    'services that only build and tag an image: `build:` with a tag and nothing else in compose, no CMD or ENTRYPOINT in the Dockerfile stage built, from a plain OS/runtime base or as a base other builds start FROM) are not judged. ' +
    'See https://docs.docker.com/reference/compose-file/services/#restart and ' +
    'https://docs.docker.com/engine/containers/start-containers-automatically/',
  seedRef: '3.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['compose'],
  optional: ['dockerfile'],
  options,
  run(input, o) {
    const items: Judged[] = [];
    const fix = [`restart: ${o.allowed[0] ?? 'unless-stopped'}`];
    const expected = o.allowed.join(' or ');
    const dockerfiles = composeDockerfiles(input);
    for (const { service, facts } of composeServices(input)) {
      const name = service.name;
      const base: Evidence = { subject: `service ${name}`, file: service.file, line: service.line, expected };
      const oneShot = oneShotReason(service, input.roles, facts, dockerfiles);
      if (oneShot) {
        items.push(oneShotItem(service, oneShot, expected));
        continue;
      }
      const loc = service.restart ?? service.deployRestartCondition;
      const from = service.restart ? 'restart' : 'deploy.restart_policy.condition';
      if (!loc) {
        const note = 'no restart policy: Docker never restarts it';
        items.push({ name, fix, evidence: { ...base, observed: 'no (default)', status: 'fail', note } });
        continue;
      }
      const at: Evidence = { ...base, file: loc.file, line: loc.line };
      const vars = unresolvedAt(facts.unresolved, loc);
      if (vars.length > 0) {
        const note = `depends on unset ${vars.map((v) => `\${${v}}`).join(', ')}`;
        items.push({ name, fix, evidence: { ...at, observed: loc.raw ?? loc.value, status: 'warn', note } });
        continue;
      }
      const policy = service.restart ? loc.value : (DEPLOY_CONDITION[loc.value] ?? loc.value);
      const observed = `${loc.value}${service.restart ? '' : ` (${from})`}`;
      const status = o.allowed.includes(policy) ? 'pass' : o.tolerated.includes(policy) ? 'warn' : 'fail';
      const note =
        status === 'warn'
          ? `${policy} also restarts a container stopped by hand when the daemon restarts`
          : undefined;
      items.push({
        name,
        fix: status === 'pass' ? undefined : fix,
        evidence: { ...at, observed, status, note },
      });
    }
    return longRunningOutcome(items, {
      passed: `every long-running service restarts ${expected}`,
      failed: 'that stay down after a crash or reboot',
      warned: `with a restart policy other than ${expected}`,
      summary: `Set restart: ${o.allowed[0] ?? 'unless-stopped'} on long-running services.`,
    });
  },
});
