import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { httpTargets } from '../../facts/http.js';

export default defineCheck({
  id: 'http/health',
  title: 'The health endpoint answers 200',
  failureTitle: 'The health endpoint does not answer 200',
  description:
    'The checklist (6.1) requires a `/health` endpoint for load balancers, orchestrators and rollouts. The ' +
    "probe GETs the target's `healthPath` (default `/health`); it must answer 200 within `maxMs`. An " +
    'unreachable server, a TLS failure or no answer at all is an error result with the cause. ' +
    'See https://docs.docker.com/reference/dockerfile/#healthcheck and https://fastapi.tiangolo.com/advanced/custom-response/',
  seedRef: '6.1',
  severity: 'high',
  kind: 'auto',
  requires: ['http'],
  options: z.object({ maxMs: z.number().positive().default(1000) }),
  run(input, options) {
    const evidence: Evidence[] = httpTargets(input).map(({ target, data }) => {
      const h = data.health;
      const ok = h.status === 200 && h.durationMs <= options.maxMs;
      return {
        subject: `${target}${h.path}`,
        observed: h.status ?? h.error ?? null,
        expected: `200 within ${options.maxMs} ms`,
        status: ok ? 'pass' : 'fail',
        note: `${h.durationMs} ms`,
      };
    });
    const status = evidence.every((e) => e.status === 'pass') ? 'pass' : 'fail';
    return {
      status,
      message:
        status === 'pass'
          ? 'health endpoint answers 200'
          : `health endpoint answered ${evidence.map((e) => e.observed).join(', ')}`,
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Serve a cheap health endpoint',
              change: '@app.get("/health")\nasync def health():\n    return {"status": "ok"}',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    };
  },
});
