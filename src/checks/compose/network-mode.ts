import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { composeServices, type Judged, noServices, outcomeOf, unresolvedAt } from '../../facts/compose.js';

const options = z.object({
  /** Network modes that fail. */
  forbidden: z.array(z.string()).default(['host']),
});

export default defineCheck({
  id: 'compose/network-mode',
  title: 'No service uses host networking',
  failureTitle: 'Services use host networking',
  description:
    '`network_mode: host` puts a container straight on the host network: every port it opens is exposed, ' +
    'services can clash on ports, service-name DNS and network isolation are lost, and it behaves differently ' +
    'on Docker Desktop. It saves the bridge NAT hop, which matters only at very high packet rates. The checklist ' +
    'asks for bridge networking, not host. Services without `network_mode` join the project network (a bridge). ' +
    'See https://docs.docker.com/reference/compose-file/services/#network_mode and ' +
    'https://docs.docker.com/engine/network/drivers/host/',
  seedRef: '3.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['compose'],
  options,
  run(input, o) {
    const items: Judged[] = [];
    const expected = `not ${o.forbidden.join(' or ')}`;
    for (const { service, facts } of composeServices(input)) {
      const name = service.name;
      const mode = service.networkMode;
      const base: Evidence = {
        subject: `service ${name}`,
        file: mode?.file ?? service.file,
        line: mode?.line ?? service.line,
        expected,
      };
      if (!mode) {
        items.push({ name, evidence: { ...base, observed: 'project network (bridge)', status: 'pass' } });
        continue;
      }
      const vars = unresolvedAt(facts.unresolved, mode);
      if (vars.length > 0) {
        const note = `depends on unset ${vars.map((v) => `\${${v}}`).join(', ')}`;
        items.push({ name, evidence: { ...base, observed: mode.raw ?? mode.value, status: 'warn', note } });
        continue;
      }
      const bad = o.forbidden.includes(mode.value);
      const fix = [
        '# network_mode: host removed',
        'ports:',
        '  - "8000:8000"  # only the ports clients must reach',
      ];
      items.push({
        name,
        fix: bad ? fix : undefined,
        evidence: { ...base, observed: mode.value, status: bad ? 'fail' : 'pass' },
      });
    }
    if (items.length === 0) return noServices();
    return outcomeOf(items, {
      passed: `none of ${items.length} services uses ${o.forbidden.join(' or ')} networking`,
      failed: `on ${o.forbidden.join(' or ')} networking`,
      warned: 'whose network mode cannot be judged',
      summary:
        'Drop network_mode: host; use the project bridge network and publish only the ports clients need.',
    });
  },
});
