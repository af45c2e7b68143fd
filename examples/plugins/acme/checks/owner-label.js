// @ts-check
import { defineCheck, z } from 'strisk/api';

export default defineCheck({
  id: 'acme/owner-label',
  title: 'Every service names its owning team',
  failureTitle: 'A service does not name its owning team',
  description:
    'The on-call rota pages the team in the `label` label (default `com.acme.owner`) of the ' +
    'container that misbehaves: a service without one pages nobody. Compose labels reach the ' +
    'containers (`docker inspect`), where the alerting reads them. ' +
    'See https://docs.docker.com/reference/compose-file/services/#labels',
  seedRef: 'OPS-2',
  severity: 'low',
  kind: 'auto',
  requires: ['compose'],
  options: z.object({
    label: z.string().min(1).default('com.acme.owner'),
  }),
  run(input, options) {
    /** @type {import('strisk/api').Evidence[]} */
    const evidence = [];
    const missing = [];
    for (const target of input.source('compose')) {
      for (const service of target.data?.services ?? []) {
        const owner = service.labels[options.label];
        if (!owner) missing.push(service.name);
        evidence.push({
          subject: `service ${service.name}`,
          file: service.file,
          line: service.line,
          observed: owner ?? null,
          expected: `a ${options.label} label`,
          status: owner ? 'pass' : 'fail',
        });
      }
    }
    if (evidence.length === 0) return { status: 'skip', message: 'no services', evidence };
    if (missing.length === 0) return { status: 'pass', evidence };
    return {
      status: 'fail',
      message: `no ${options.label}: ${missing.join(', ')}`,
      evidence,
      remediation: {
        summary: `Label each service with its team`,
        change: missing.map((name) => `  ${name}:\n    labels:\n      ${options.label}: <team>`).join('\n'),
        applies: 'redeploy',
      },
    };
  },
});
