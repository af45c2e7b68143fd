import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { absence, appTargets, at, guarded } from '../../facts/app.js';

export default defineCheck({
  id: 'app/response-model',
  title: 'Routes declare a response_model',
  failureTitle: 'Some routes have no response_model',
  description:
    'The checklist (1.2) lists `response_model` among the response optimisations: a declared model filters ' +
    'and documents the output, and with pydantic v2 serialises in Rust. Informational: the routes with and ' +
    'without one are listed (a route whose return annotation is a model is counted as without, since the ' +
    'decorator is what is read). See https://fastapi.tiangolo.com/tutorial/response-model/',
  seedRef: '1.2',
  severity: 'info',
  kind: 'info',
  requires: ['app'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const r of data.routes.filter((x) => x.method !== 'WEBSOCKET')) {
        evidence.push({
          ...at(r),
          observed: r.responseModel ?? 'none',
          expected: 'a response_model',
          status: r.responseModel ? 'pass' : 'warn',
          note: `${r.method} ${r.path}`,
        });
      }
    }
    if (evidence.length === 0)
      evidence.push(...absence(apps, 'no route found', 'routes with a response_model', 'warn'));
    const without = evidence.filter((e) => e.status === 'warn').length;
    return guarded(apps, {
      status: without > 0 || evidence.length === 0 ? 'warn' : 'pass',
      message: `${evidence.length - without} of ${evidence.length} route(s) declare a response_model`,
      evidence,
      ...(without > 0
        ? {
            remediation: {
              summary: 'Declare response models',
              change: '@app.get("/risks/{risk_id}", response_model=RiskOut)',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
