import { z } from 'zod';
import type { ServerCommand } from '../../collectors/app/schema.js';
import { k8sLimitFor } from '../../facts/k8s.js';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { absence, appTargets, at, effectiveServers, guarded, workersOf } from '../../facts/app.js';
import { containerSizeFor } from '../../facts/docker.js';

export default defineCheck({
  id: 'app/server-workers',
  title: 'The server runs one worker per available core',
  failureTitle: 'The server worker count does not match the cores available',
  description:
    'The checklist (1.1) runs `uvicorn --workers 4` on its machine: one worker process per core is the usual ' +
    'starting point (uvicorn, gunicorn and hypercorn all default to 1). The cores are those the container may ' +
    'use: the compose `cpus` limit of the service that runs the command, else the CPU limit of the API container ' +
    'in the Kubernetes manifests (when they give one), else the CPU limit of the running ' +
    'app container (docker source), else `machine.cpus` from the config; ' +
    'the evidence says which. Fails on 1 worker with 2 or more cores, or on more than 2 × cores; warns on any ' +
    'other mismatch and when the count or the cores are unknown. Compose `command` overrides the Dockerfile ' +
    "CMD, and `WEB_CONCURRENCY` sets uvicorn's default. " +
    'See https://www.uvicorn.org/deployment/ and https://docs.gunicorn.org/en/stable/design.html#how-many-workers',
  seedRef: '1.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['app'],
  optional: ['compose', 'dockerfile', 'docker', 'k8s'],
  options: z.object({ maxPerCore: z.number().positive().default(2) }),
  run(input, options) {
    const apps = appTargets(input);
    const compose = input.has('compose')
      ? input.source('compose').flatMap((t) => t.data?.services ?? [])
      : [];
    const container = containerSizeFor(input, 'app');
    const coresFor = (s: ServerCommand): { cores?: number; from: string } => {
      const svc = s.service ? compose.find((c) => c.name === s.service) : undefined;
      if (typeof svc?.cpuLimit?.value === 'number')
        return {
          cores: svc.cpuLimit.value,
          from: `compose cpus limit of ${svc.name} (${svc.cpuLimit.file}:${svc.cpuLimit.line})`,
        };
      const manifest = k8sLimitFor(input, 'app', 'cpu');
      if (manifest) return { cores: manifest.value, from: `Kubernetes ${manifest.from}` };
      if (container?.cpus) return { cores: container.cpus, from: container.from };
      if (input.machine.cpus) return { cores: input.machine.cpus, from: 'machine.cpus in the config' };
      return { from: 'no CPU limit or machine size known' };
    };
    const evidence: Evidence[] = [];
    const fixes: string[] = [];
    for (const { data } of apps) {
      for (const s of effectiveServers(data)) {
        const { workers, defaulted } = workersOf(s);
        const { cores, from } = coresFor(s);
        let status: OutcomeStatus;
        if (workers === null || cores === undefined) status = 'warn';
        else if ((workers === 1 && cores >= 2) || workers > options.maxPerCore * cores) status = 'fail';
        else status = workers === Math.max(1, Math.floor(cores)) ? 'pass' : 'warn';
        const target = cores === undefined ? 'cores' : String(Math.max(1, Math.floor(cores)));
        evidence.push({
          ...at(s),
          observed: workers ?? String(s.options['--workers'] ?? 'unknown'),
          expected: `${target} (one per core; ${from})`,
          unit: 'workers',
          status,
          note: `${s.server} from ${s.source}${s.service ? ` service ${s.service}` : ''}${defaulted ? '; no worker count given: the default is 1' : ''}`,
        });
        if (status !== 'pass')
          fixes.push(
            s.server === 'gunicorn'
              ? `gunicorn ... --workers ${target}`
              : `${s.server} ... --workers ${target}`,
          );
      }
    }
    if (evidence.length === 0)
      evidence.push(
        ...absence(
          apps,
          'no server command found',
          'one worker per core',
          'warn',
          'looked for Dockerfile CMD (every stage), compose command, Procfile, gunicorn config, uvicorn.run()',
        ),
      );
    const status = worstStatus(evidence, 'warn');
    return guarded(apps, {
      status,
      message:
        evidence.length === 0
          ? 'no server command found (Dockerfile CMD, compose command, Procfile, gunicorn config)'
          : status === 'pass'
            ? 'worker count matches the cores'
            : 'worker count and cores differ',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Run one worker per core available to the container',
              change: fixes.join('\n') || 'uvicorn app.main:app --workers <cores>',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
