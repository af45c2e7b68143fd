import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { plural } from '../../facts/common.js';
import {
  composeDockerfiles,
  composeServices,
  isLongRunning,
  type Judged,
  outcomeOf,
  roleNote,
  serviceRole,
  unresolvedAt,
} from '../../facts/compose.js';

const options = z.object({
  /** Roles whose long-running services must run read-only. Databases write to their root by design. */
  roles: z.array(z.string()).min(1).default(['app', 'worker']),
});

const FIX = ['read_only: true', 'tmpfs:', '  - /tmp'];

export default defineCheck({
  id: 'compose/read-only-rootfs',
  title: 'App services run with a read-only root filesystem',
  failureTitle: 'App services run with a writable root filesystem',
  description:
    'A read-only root filesystem keeps the app container from accumulating writes in its copy-on-write layer ' +
    '(slow, unbounded, lost on recreate) and stops an intruder from changing the code it runs. The checklist ' +
    'asks for a read-only root filesystem where possible; for the stateless API it is always possible, with a ' +
    'tmpfs for scratch space (/tmp). Roles come from the config, else from the image, command, healthcheck, environment, ' +
    'ports, dependencies or `build:` (`strisk audit --explain-roles` shows each guess). One-shot services, such as ' +
    'one that only builds and tags a base image (no command in compose, no CMD in its Dockerfile), are not judged. ' +
    'See https://docs.docker.com/reference/compose-file/services/#read_only and ' +
    'https://docs.docker.com/reference/compose-file/services/#tmpfs',
  seedRef: '3.2',
  severity: 'low',
  kind: 'auto',
  requires: ['compose'],
  optional: ['dockerfile'],
  options,
  run(input, o) {
    const items: Judged[] = [];
    const dockerfiles = composeDockerfiles(input);
    for (const { service, facts } of composeServices(input)) {
      const role = serviceRole(service, input.roles, facts);
      if (
        !role.role ||
        !o.roles.includes(role.role) ||
        !isLongRunning(service, input.roles, facts, dockerfiles)
      )
        continue;
      const name = service.name;
      const why = roleNote(role);
      const ro = service.readOnly;
      const base: Evidence = {
        subject: `service ${name}`,
        file: ro?.file ?? service.file,
        line: ro?.line ?? service.line,
      };
      const vars = ro ? unresolvedAt(facts.unresolved, ro) : [];
      if (vars.length > 0) {
        const note = `depends on unset ${vars.map((v) => `\${${v}}`).join(', ')}; ${why}`;
        items.push({
          name,
          fix: FIX,
          evidence: { ...base, observed: ro?.raw ?? null, expected: 'true', status: 'warn', note },
        });
      } else if (ro?.value === true) {
        const scratch =
          service.tmpfs.length > 0
            ? `tmpfs ${service.tmpfs.join(', ')}`
            : 'no tmpfs: writes to /tmp will fail';
        const evidence: Evidence = {
          ...base,
          observed: true,
          expected: 'true',
          status: 'pass',
          note: `${scratch}; ${why}`,
        };
        items.push({ name, evidence });
      } else {
        const observed = ro ? false : 'not set';
        items.push({
          name,
          fix: FIX,
          evidence: { ...base, observed, expected: 'true', status: 'fail', note: why },
        });
      }
    }
    if (items.length === 0) {
      return {
        status: 'skip',
        message: `no long-running ${o.roles.join(' or ')} service found from images, commands, dependencies or build (name it under roles: in the config; see --explain-roles)`,
        evidence: [],
      };
    }
    return outcomeOf(items, {
      passed: `${plural(items.length, 'app service')} run${items.length === 1 ? 's' : ''} read-only`,
      failed: 'with a writable root filesystem',
      warned: 'whose read_only setting cannot be judged',
      summary: 'Run app services read-only, with a tmpfs for scratch space.',
    });
  },
});
